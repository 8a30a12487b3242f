// Ctrl-C: the first press asks the run to stop at a safe point; the second one exits at once.
import { ExitCode } from '../errors.js';

export interface InterruptHandle {
  signal: AbortSignal;
  dispose(): void;
}

let criticalSections: string[] = [];

/**
 * Run work that must not be cut short (init returns keys that exist nowhere else):
 * while it runs, even a second Ctrl-C waits for it.
 */
export async function uninterruptible<T>(why: string, work: () => Promise<T>): Promise<T> {
  criticalSections.push(why);
  try {
    return await work();
  } finally {
    criticalSections = criticalSections.filter((entry) => entry !== why);
  }
}

export function installInterruptHandler(): InterruptHandle {
  const controller = new AbortController();
  const onSignal = (): void => {
    if (criticalSections.length > 0) {
      process.stderr.write(`\nPlease wait: ${criticalSections[0]}; stopping now would lose it. bybit-vault stops right after.\n`);
      controller.abort();
      return;
    }
    if (controller.signal.aborted) process.exit(ExitCode.interrupted);
    process.stderr.write('\nInterrupt received: stopping at the next safe point (press Ctrl-C again to exit now)…\n');
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    dispose: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}
