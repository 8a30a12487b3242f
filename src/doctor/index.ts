// Doctor: read-only diagnosis of a migration, as data (checks) plus a runner and a report.
export { DOCTOR_CHECKS } from './checks/index.js';
export { createDoctorContext, valuesToRedact, type DoctorContextOptions } from './context.js';
export { runChecks } from './runner.js';
export { buildReport, exitCodeFor, renderText, reportToJson, type DoctorReport } from './report.js';
export type { Check, CheckOutcome, CheckResult, CheckStatus, DoctorContext } from './types.js';
