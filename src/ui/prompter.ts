// Prompts behind one interface: inquirer when a terminal is attached, an error naming the flag otherwise.
import { MissingInputError, InterruptedError } from '../errors.js';

export interface PromptBase {
  /** The flag that supplies this value without a prompt; named in the error when there is no terminal. */
  flag: string;
}

export interface Choice<T extends string> {
  value: T;
  name: string;
  description?: string;
}

export interface Prompter {
  confirm(message: string, options: PromptBase & { default?: boolean }): Promise<boolean>;
  input(message: string, options: PromptBase & { default?: string; validate?: (value: string) => true | string }): Promise<string>;
  /** Masked input: what is typed is never echoed. */
  secret(message: string, options: PromptBase & { validate?: (value: string) => true | string }): Promise<string>;
  select<T extends string>(message: string, choices: Choice<T>[], options: PromptBase & { default?: T }): Promise<T>;
}

export function createPrompter(interactive: boolean): Prompter {
  return interactive ? new InquirerPrompter() : new NonInteractivePrompter();
}

export class NonInteractivePrompter implements Prompter {
  async confirm(message: string, options: PromptBase): Promise<boolean> {
    throw new MissingInputError(options.flag, `An answer to "${message}"`);
  }
  async input(message: string, options: PromptBase): Promise<string> {
    throw new MissingInputError(options.flag, `A value for "${message}"`);
  }
  async secret(message: string, options: PromptBase): Promise<string> {
    throw new MissingInputError(options.flag, `A value for "${message}"`);
  }
  async select<T extends string>(message: string, _choices: Choice<T>[], options: PromptBase): Promise<T> {
    throw new MissingInputError(options.flag, `A choice for "${message}"`);
  }
}

class InquirerPrompter implements Prompter {
  private async prompts() {
    return import('@inquirer/prompts');
  }

  async confirm(message: string, options: PromptBase & { default?: boolean }): Promise<boolean> {
    const { confirm } = await this.prompts();
    return withInterruptMapping(() => confirm({ message, default: options.default }, { output: process.stderr }));
  }

  async input(message: string, options: PromptBase & { default?: string; validate?: (value: string) => true | string }): Promise<string> {
    const { input } = await this.prompts();
    return withInterruptMapping(() => input({ message, default: options.default, validate: options.validate }, { output: process.stderr }));
  }

  async secret(message: string, options: PromptBase & { validate?: (value: string) => true | string }): Promise<string> {
    const { password } = await this.prompts();
    return withInterruptMapping(() => password({ message, validate: options.validate }, { output: process.stderr }));
  }

  async select<T extends string>(message: string, choices: Choice<T>[], options: PromptBase & { default?: T }): Promise<T> {
    const { select } = await this.prompts();
    return withInterruptMapping(() => select<T>({ message, choices, default: options.default }, { output: process.stderr }));
  }
}

async function withInterruptMapping<T>(ask: () => Promise<T>): Promise<T> {
  try {
    return await ask();
  } catch (error) {
    // inquirer raises ExitPromptError on Ctrl-C; it is an interrupt, not a failure.
    if (error instanceof Error && error.name === 'ExitPromptError') throw new InterruptedError('Interrupted at a prompt');
    throw error;
  }
}

/** Pauses the running spinner around every prompt, so the question and the typing stay visible. */
export function pausingPrompter(inner: Prompter, currentProgress: () => { pause(): void; resume(): void } | undefined): Prompter {
  const around = async <T>(ask: () => Promise<T>): Promise<T> => {
    const progress = currentProgress();
    progress?.pause();
    try {
      return await ask();
    } finally {
      progress?.resume();
    }
  };
  return {
    confirm: (message, options) => around(() => inner.confirm(message, options)),
    input: (message, options) => around(() => inner.input(message, options)),
    secret: (message, options) => around(() => inner.secret(message, options)),
    select: (message, choices, options) => around(() => inner.select(message, choices, options)),
  };
}
