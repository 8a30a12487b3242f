// Progress for slow work: an ora spinner on a terminal, plain lines otherwise (CI logs, pipes).
import type { Logger } from './logger.js';

export interface Progress {
  update(text: string): void;
  succeed(text?: string): void;
  fail(text?: string): void;
  stop(): void;
  /** Take the spinner off the screen while a prompt or a block of text is shown. */
  pause(): void;
  resume(): void;
}

export async function startProgress(logger: Logger, text: string): Promise<Progress> {
  if (!process.stderr.isTTY) {
    logger.info(`… ${text}`);
    return {
      update: () => undefined,
      succeed: (done) => logger.success(done ?? text),
      fail: (failed) => logger.error(failed ?? text),
      stop: () => undefined,
      pause: () => undefined,
      resume: () => undefined,
    };
  }
  const { default: ora } = await import('ora');
  const spinner = ora({ text: logger.redact(text), stream: process.stderr, color: 'cyan', isEnabled: logger.color || undefined }).start();
  return {
    update: (next) => {
      spinner.text = logger.redact(next);
    },
    succeed: (done) => spinner.succeed(logger.redact(done ?? spinner.text)),
    fail: (failed) => spinner.fail(logger.redact(failed ?? spinner.text)),
    stop: () => spinner.stop(),
    pause: () => {
      if (spinner.isSpinning) spinner.stop();
    },
    resume: () => {
      if (!spinner.isSpinning) spinner.start();
    },
  };
}
