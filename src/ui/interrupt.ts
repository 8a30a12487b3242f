// Ctrl-C: the first press asks the run to stop at a safe point; the second one exits at once.
import { ExitCode } from '../errors.js';

export interface InterruptHandle {
  signal: AbortSignal;
  dispose(): void;
}

export function installInterruptHandler(): InterruptHandle {
  const controller = new AbortController();
  const onSignal = (): void => {
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
