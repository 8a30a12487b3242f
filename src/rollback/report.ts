// What rollback shows the operator: keys and where their value comes from, never a value.
import type { Logger } from '../ui/logger.js';
import type { RollbackPlan } from './plan.js';

export interface PlannedActions {
  /** Set when a valid application token will be revoked. */
  revokeAccessor?: string;
  stopServer: boolean;
}

export interface PlanView {
  envFile: string;
  dryRun: boolean;
  sourceLabel: string;
  backupProblem?: string;
  warnings: string[];
  actions: PlannedActions;
}

export function renderPlan(logger: Logger, plan: RollbackPlan, view: PlanView): void {
  logger.heading(`bybit-vault rollback${view.dryRun ? ' --dry-run (nothing will change)' : ''}: ${view.envFile}, values from ${view.sourceLabel}`);
  const usesBackup = plan.migrated.some((decision) => decision.action === 'restore' && decision.origin === 'backup');
  if (view.backupProblem && !usesBackup && plan.restored.length > 0) logger.warn(`${view.backupProblem}: the values come from Vault`);
  for (const warning of view.warnings) logger.warn(warning);
  const width = Math.max(0, ...[...plan.migrated, ...plan.clientLines].map((decision) => decision.key.length));
  const row = (verb: 'restore' | 'remove' | 'keep', key: string, note: string): void => {
    const style = verb === 'restore' ? 'green' : verb === 'remove' ? 'yellow' : 'dim';
    logger.info(`  ${logger.paint(style, verb.padEnd(8))} ${key.padEnd(width)}  ${logger.paint('dim', note)}`);
  };

  for (const decision of plan.migrated) {
    if (decision.action === 'restore') row('restore', decision.key, decision.origin === 'vault' ? 'value from Vault' : 'line from the pre-migration backup');
    else if (decision.action === 'unchanged') row('keep', decision.key, 'still in .env; its line stays as it is');
  }
  for (const decision of plan.clientLines) {
    if (decision.action === 'revert') row('restore', decision.key, 'its pre-migration line');
    else row('remove', decision.key, 'added by migrate');
  }
  if (plan.content === undefined && plan.missing.length === 0) logger.info(logger.paint('dim', '  no change to .env'));
  if (view.actions.revokeAccessor) logger.info(`  revoke the application token (accessor ${view.actions.revokeAccessor})`);
  if (view.actions.stopServer) logger.info('  stop the Vault server (its data is kept)');
}

export function renderNextSteps(logger: Logger, outcome: { tokenRevoked: boolean; vaultStopped: boolean; accessor?: string }): void {
  logger.hint('Next: restart the application so it reads the variables from .env again.');
  if (!outcome.tokenRevoked && outcome.accessor) {
    logger.hint(`Once it runs from .env, revoke the application token: \`bybit-vault rollback --revoke-token --yes\` (accessor ${outcome.accessor}).`);
  }
  if (!outcome.vaultStopped) logger.hint('Vault keeps running with the secrets; `bybit-vault rollback --stop-vault --yes` stops it (data kept).');
  logger.hint('To migrate again later, run `bybit-vault migrate`: it makes a new pre-migration backup.');
}
