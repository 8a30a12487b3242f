// Owns the order of the steps, resume, checkpoints, dry-run, spinners and interrupts.
import { BybitVaultError, InterruptedError } from '../errors.js';
import { faultPoint } from '../util/fault.js';
import { startProgress } from '../ui/spinner.js';
import type { StepId } from '../state/schema.js';
import type { MigrationContext, Step } from './types.js';

export interface RunResult {
  steps: Array<{ id: StepId; status: 'done' | 'already-done' | 'skipped' | 'planned'; message: string }>;
}

export async function runSteps(ctx: MigrationContext, steps: Step[]): Promise<RunResult> {
  const result: RunResult = { steps: [] };
  const { logger, store } = ctx;
  if (!ctx.options.dryRun) {
    const resumeFrom = steps.find((step) => store.stepStatus(step.id) !== 'done');
    const started = steps.some((step) => store.stepStatus(step.id) !== 'pending');
    if (started && resumeFrom) logger.info(logger.paint('dim', `Resuming: the state file says ${resumeFrom.id} is next; every step re-checks the real world.`));
  }

  for (const [index, step] of steps.entries()) {
    const label = `[${index + 1}/${steps.length}] ${step.title}`;
    if (ctx.signal.aborted) {
      await store.setStep(step.id, { status: 'interrupted', message: 'interrupted by the operator' });
      throw interruptedAt(step.id);
    }

    if (ctx.options.dryRun) {
      const lines = await planStep(ctx, step);
      logger.heading(label);
      for (const line of lines) logger.detail(line);
      result.steps.push({ id: step.id, status: 'planned', message: lines.join('; ') });
      continue;
    }

    let outcome;
    try {
      outcome = await step.check(ctx);
    } catch (error) {
      if (isInterrupt(ctx, error)) {
        await store.setStep(step.id, { status: 'interrupted', message: 'interrupted by the operator' });
        throw interruptedAt(step.id);
      }
      await recordFailure(ctx, step, error);
      throw error;
    }
    if (outcome.done) {
      if (store.stepStatus(step.id) !== 'done') await store.setStep(step.id, { status: 'done', finishedAt: new Date().toISOString(), message: outcome.message });
      logger.success(`${label}: ${outcome.message}`);
      result.steps.push({ id: step.id, status: 'already-done', message: outcome.message });
      continue;
    }

    await store.setStep(step.id, { status: 'running', startedAt: new Date().toISOString(), message: undefined });
    faultPoint(`before-run:${step.id}`);
    const progress = await startProgress(logger, label);
    ctx.progress = progress;
    try {
      const outcome = await step.run(ctx);
      const skipped = typeof outcome !== 'string';
      const message = typeof outcome === 'string' ? outcome : outcome.message;
      await store.setStep(step.id, { status: skipped ? 'skipped' : 'done', finishedAt: new Date().toISOString(), message });
      progress.succeed(`${label}: ${message}`);
      result.steps.push({ id: step.id, status: skipped ? 'skipped' : 'done', message });
    } catch (error) {
      if (isInterrupt(ctx, error)) {
        progress.fail(`${label}: interrupted`);
        await store.setStep(step.id, { status: 'interrupted', message: 'interrupted by the operator' });
        throw interruptedAt(step.id);
      }
      progress.fail(`${label}: failed`);
      await recordFailure(ctx, step, error);
      throw error;
    } finally {
      ctx.progress = undefined;
    }
    faultPoint(`after-step:${step.id}`);
  }
  return result;
}

async function recordFailure(ctx: MigrationContext, step: Step, error: unknown): Promise<void> {
  const message = error instanceof BybitVaultError ? error.message : 'unexpected error';
  await ctx.store.setStep(step.id, { status: 'failed', finishedAt: new Date().toISOString(), message });
}

async function planStep(ctx: MigrationContext, step: Step): Promise<string[]> {
  try {
    const outcome = await step.check(ctx);
    if (outcome.done) return [`already done: ${outcome.message}`];
  } catch (error) {
    // A dry run before deploy cannot ask the server anything; the plan says so instead of failing.
    if (!(error instanceof BybitVaultError) || isInterrupt(ctx, error)) throw error;
    if (!step.plan) return [`would run (cannot check now: ${error.message})`];
  }
  return step.plan ? step.plan(ctx) : ['would run'];
}

function isInterrupt(ctx: MigrationContext, error: unknown): boolean {
  return error instanceof InterruptedError || (ctx.signal.aborted && (error as Error)?.name === 'AbortError');
}

function interruptedAt(step: StepId): InterruptedError {
  return new InterruptedError(`Interrupted during step ${step}; nothing after it was changed`, 'Run `bybit-vault migrate` again with the same options to resume; finished steps are re-checked, not repeated.');
}
