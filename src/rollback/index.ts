// Rollback to environment variables: pure planning (plan.ts) apart from the IO around it.
export { runRollback, type RollbackOptions, type RollbackResult } from './run.js';
export { planRollback, decideMigratedKeys, decideClientLines, verifyRollbackContent, VAULT_CLIENT_KEYS } from './plan.js';
export type { RollbackInput, RollbackPlan, MigratedKeyDecision, ClientLineDecision, ValueOrigin } from './plan.js';
