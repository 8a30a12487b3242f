import { setTimeout as delay } from 'node:timers/promises';

export interface BackoffOptions {
  timeoutMs: number;
  initialDelayMs?: number;
  maxDelayMs?: number;
  factor?: number;
  signal?: AbortSignal;
}

export type PollResult<T> = { done: true; value: T } | { done: false; reason?: string };

/**
 * Poll `attempt` with exponential backoff until it reports done or the timeout passes.
 * Returns the value, or throws the error made by `onTimeout` with the last reason seen.
 */
export async function pollWithBackoff<T>(
  attempt: () => Promise<PollResult<T>>,
  options: BackoffOptions,
  onTimeout: (lastReason: string | undefined) => Error,
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  let wait = options.initialDelayMs ?? 50;
  const maxDelay = options.maxDelayMs ?? 2_000;
  const factor = options.factor ?? 2;
  let lastReason: string | undefined;
  for (;;) {
    options.signal?.throwIfAborted();
    const result = await attempt();
    if (result.done) return result.value;
    lastReason = result.reason ?? lastReason;
    const remaining = deadline - Date.now();
    if (remaining <= 0) throw onTimeout(lastReason);
    await delay(Math.min(wait, remaining), undefined, { signal: options.signal });
    wait = Math.min(wait * factor, maxDelay);
  }
}

/** Retry an operation whose failures `isTransient` calls temporary, with exponential backoff. */
export async function retryTransient<T>(
  operation: () => Promise<T>,
  isTransient: (error: unknown) => boolean,
  options: BackoffOptions,
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  let wait = options.initialDelayMs ?? 50;
  const maxDelay = options.maxDelayMs ?? 1_000;
  for (;;) {
    try {
      return await operation();
    } catch (error) {
      if (!isTransient(error) || Date.now() + wait > deadline) throw error;
      await delay(wait, undefined, { signal: options.signal });
      wait = Math.min(wait * (options.factor ?? 2), maxDelay);
    }
  }
}
