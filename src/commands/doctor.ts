import { BybitVaultError } from '../errors.js';
import type { CommonOptions } from '../context.js';

export async function run(_options: Record<string, unknown>, _common: CommonOptions): Promise<number> {
  throw new BybitVaultError('NOT_IMPLEMENTED', '`bybit-vault doctor` is not built yet', { hint: 'Follow the project issues; this command is planned.' });
}
