// `bybit-vault doctor`: read-only diagnosis; never prompts, never changes anything, never prints a value or token.
import { createContext, type CommonOptions } from '../context.js';
import {
  DOCTOR_CHECKS,
  buildReport,
  createDoctorContext,
  exitCodeFor,
  renderText,
  reportToJson,
  runChecks,
  valuesToRedact,
  type Check,
  type DoctorContext,
  type DoctorReport,
} from '../doctor/index.js';
import { describeSource } from '../doctor/format.js';

export async function run(_options: Record<string, unknown>, common: CommonOptions): Promise<number> {
  const command = createContext(common, { nonInteractive: true });
  await command.logger.enableColors();
  const ctx = await createDoctorContext(common, { env: command.env });
  // Defence in depth: even if a value slipped into a finding, the logger masks it.
  for (const value of valuesToRedact(ctx)) command.logger.registerSecret(value);
  const report = await runDoctor(ctx);
  if (common.json) {
    command.logger.printJson(reportToJson(report));
  } else {
    const { address } = ctx.settings;
    const header = `bybit-vault doctor: Vault at ${address.value} (from the ${describeSource(address.source)}), .env ${ctx.appEnv.path}, state ${common.stateDir}`;
    command.logger.write(renderText(report, { header, paint: (style, text) => command.logger.paint(style, text) }));
  }
  return exitCodeFor(report);
}

export async function runDoctor(ctx: DoctorContext, checks: readonly Check[] = DOCTOR_CHECKS): Promise<DoctorReport> {
  return buildReport(await runChecks(checks, ctx));
}
