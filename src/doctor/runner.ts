// Runs the checks: each starts as soon as its dependencies settle, independent ones concurrently, each under a timeout.
import type { Check, CheckOutcome, CheckResult, DoctorContext } from './types.js';

export const DEFAULT_CHECK_TIMEOUT_MS = 15_000;

export async function runChecks(checks: readonly Check[], ctx: DoctorContext, defaultTimeoutMs = DEFAULT_CHECK_TIMEOUT_MS): Promise<CheckOutcome[]> {
  assertValidRegistry(checks);
  const outcomes = new Map<string, Promise<CheckOutcome>>();
  for (const check of checks) {
    outcomes.set(check.id, settle(check, ctx, outcomes, defaultTimeoutMs));
  }
  return Promise.all(checks.map((check) => outcomes.get(check.id)!));
}

async function settle(check: Check, ctx: DoctorContext, outcomes: Map<string, Promise<CheckOutcome>>, defaultTimeoutMs: number): Promise<CheckOutcome> {
  const dependencies = await Promise.all((check.dependsOn ?? []).map((id) => outcomes.get(id)!));
  const blocker = dependencies.find((dependency) => dependency.status === 'fail' || dependency.status === 'skip');
  if (blocker) {
    return { id: check.id, title: check.title, status: 'skip', finding: `skipped: ${blocker.id} ${blocker.status === 'fail' ? 'failed' : 'was skipped'}` };
  }
  const result = await runWithTimeout(check, ctx, check.timeoutMs ?? defaultTimeoutMs);
  return { id: check.id, title: check.title, ...result };
}

async function runWithTimeout(check: Check, ctx: DoctorContext, timeoutMs: number): Promise<CheckResult> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<CheckResult>((resolve) => {
    timer = setTimeout(() => resolve({ status: 'fail', finding: `timed out after ${formatSeconds(timeoutMs)}` }), timeoutMs);
  });
  try {
    return await Promise.race([check.run(ctx).catch(crashResult), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** A check that throws is a bug in doctor, reported as that check's failure rather than ending the run. */
function crashResult(error: unknown): CheckResult {
  const message = error instanceof Error ? error.message : String(error);
  return { status: 'fail', finding: `the check itself failed: ${message}`, fix: 'this is a bug in bybit-vault doctor; please report it with BYBIT_VAULT_DEBUG=1 output' };
}

function formatSeconds(milliseconds: number): string {
  const seconds = milliseconds / 1000;
  return `${Number.isInteger(seconds) ? seconds : seconds.toFixed(1)} s`;
}

/** Ids are unique and dependencies point backwards, so the graph has no cycles and every dependency exists. */
function assertValidRegistry(checks: readonly Check[]): void {
  const seen = new Set<string>();
  for (const check of checks) {
    if (seen.has(check.id)) throw new Error(`doctor: duplicate check id ${check.id}`);
    for (const dependency of check.dependsOn ?? []) {
      if (!seen.has(dependency)) throw new Error(`doctor: check ${check.id} depends on ${dependency}, which is not listed before it`);
    }
    seen.add(check.id);
  }
}
