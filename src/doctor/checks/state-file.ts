// The migration state file: present, readable, and what it records.
import { STEP_IDS } from '../../state/schema.js';
import { fail, ok, skip, type Check } from '../types.js';

export const stateFileCheck: Check = {
  id: 'state.file',
  title: 'Migration state file',
  async run(ctx) {
    if (ctx.stateProblem) return fail(ctx.stateProblem.message, ctx.stateProblem.hint);
    const state = ctx.state;
    if (!state) return skip(`no state file in ${ctx.common.stateDir}: no migration recorded here (pass --state-dir if it lives elsewhere)`);
    const done = STEP_IDS.filter((id) => state.steps[id]?.status === 'done');
    const details = STEP_IDS.map((id) => `${id}: ${state.steps[id]?.status ?? 'pending'}${state.steps[id]?.message ? ` (${state.steps[id]?.message})` : ''}`);
    const runtime = state.runtime?.kind ?? 'not recorded';
    return ok(`${done.length} of ${STEP_IDS.length} steps done; runtime ${runtime}; Vault at ${state.vaultAddr ?? 'not recorded'}`, details);
  },
};
