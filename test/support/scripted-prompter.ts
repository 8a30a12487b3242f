// Answers prompts from a script: drives the interactive flows in tests through the real Prompter interface.
import type { Prompter } from '../../src/ui/prompter.js';

export type ScriptedAnswer = string | boolean | ((message: string) => string | boolean);

export class ScriptedPrompter implements Prompter {
  readonly asked: string[] = [];
  constructor(private readonly answers: ScriptedAnswer[]) {}

  private next(message: string): string | boolean {
    this.asked.push(message);
    if (this.answers.length === 0) throw new Error(`ScriptedPrompter: no answer left for "${message}"`);
    const answer = this.answers.shift()!;
    return typeof answer === 'function' ? answer(message) : answer;
  }
  async confirm(message: string): Promise<boolean> {
    return Boolean(this.next(message));
  }
  async input(message: string, options: { validate?: (value: string) => true | string }): Promise<string> {
    const answer = String(this.next(message));
    const verdict = options.validate?.(answer);
    if (typeof verdict === 'string') throw new Error(`ScriptedPrompter: "${message}" rejected: ${verdict}`);
    return answer;
  }
  async secret(message: string, options: { validate?: (value: string) => true | string }): Promise<string> {
    return this.input(message, options);
  }
  async select<T extends string>(message: string): Promise<T> {
    return String(this.next(message)) as T;
  }
}
