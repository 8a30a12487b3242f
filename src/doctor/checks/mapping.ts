// The secret mapping the other checks compare against: the default table or the migration's mapping file.
import { policyPaths } from '../../mapping/index.js';
import { plural } from '../format.js';
import { fail, ok, type Check } from '../types.js';

export const mappingCheck: Check = {
  id: 'mapping',
  title: 'Secret mapping',
  async run(ctx) {
    if (ctx.mappingProblem) {
      return fail(`${ctx.mappingSource} cannot be loaded: ${firstLine(ctx.mappingProblem.message)}`, ctx.mappingProblem.hint ?? 'fix the mapping file, then run doctor again');
    }
    let paths: string[];
    try {
      paths = policyPaths(ctx.mapping);
    } catch (error) {
      return fail(`${ctx.mappingSource} is not usable: ${firstLine((error as Error).message)}`, 'fix the mapping file, then run doctor again');
    }
    return ok(`${ctx.mappingSource}: ${plural(ctx.mapping.entries.length, 'variable')} in ${plural(paths.length, 'path')} under ${ctx.mapping.mount}/`);
  },
};

function firstLine(text: string): string {
  return text.split('\n')[0] ?? text;
}
