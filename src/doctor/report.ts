// Rolls the outcomes up (worst wins) and renders them as text for people or JSON for machines.
import { ExitCode } from '../errors.js';
import { worstStatus, type CheckOutcome, type CheckStatus } from './types.js';

export interface DoctorReport {
  /** True only when nothing failed and nothing warned (skips are allowed). */
  ok: boolean;
  status: Exclude<CheckStatus, 'skip'>;
  summary: Record<CheckStatus, number>;
  checks: CheckOutcome[];
}

export function buildReport(checks: CheckOutcome[]): DoctorReport {
  const summary: Record<CheckStatus, number> = { ok: 0, warn: 0, fail: 0, skip: 0 };
  for (const check of checks) summary[check.status] += 1;
  const status = worstStatus(checks.map((check) => check.status)) as DoctorReport['status'];
  return { ok: status === 'ok', status, summary, checks };
}

export function exitCodeFor(report: DoctorReport): number {
  if (report.status === 'fail') return ExitCode.failed;
  return report.status === 'warn' ? ExitCode.warnings : ExitCode.ok;
}

/** The --json document: every check with all its keys present. */
export function reportToJson(report: DoctorReport): unknown {
  return {
    ok: report.ok,
    status: report.status,
    summary: report.summary,
    checks: report.checks.map((check) => ({
      id: check.id,
      title: check.title,
      status: check.status,
      finding: check.finding,
      fix: check.fix ?? null,
      details: check.details ?? [],
    })),
  };
}

export type Painter = (style: 'green' | 'yellow' | 'red' | 'dim' | 'bold' | 'cyan', text: string) => string;

const STATUS_STYLE = { ok: 'green', warn: 'yellow', fail: 'red', skip: 'dim' } as const;
const TAG_WIDTH = '[fail]'.length;
const INDENT = ' '.repeat(TAG_WIDTH + 1);

export interface RenderOptions {
  /** First line, e.g. which address and files were examined. */
  header?: string;
  paint?: Painter;
}

export function renderText(report: DoctorReport, options: RenderOptions = {}): string {
  const paint: Painter = options.paint ?? ((_style, text) => text);
  const idWidth = Math.max(...report.checks.map((check) => check.id.length));
  const lines: string[] = [];
  if (options.header) lines.push(paint('bold', options.header), '');
  for (const check of report.checks) {
    const tag = `[${check.status}]`.padEnd(TAG_WIDTH);
    lines.push(`${paint(STATUS_STYLE[check.status], tag)} ${paint('dim', check.id.padEnd(idWidth))}  ${check.title}: ${check.finding}`);
    if (check.status === 'ok' || check.status === 'skip') continue;
    if (check.fix) lines.push(`${INDENT}${paint('cyan', 'fix:')} ${check.fix}`);
    for (const detail of check.details ?? []) lines.push(`${INDENT}${paint('dim', `| ${detail}`)}`);
  }
  const { ok, warn, fail, skip } = report.summary;
  lines.push('', `${paint(STATUS_STYLE[report.status], report.status.toUpperCase())}: ${ok} ok, ${warn} warn, ${fail} fail, ${skip} skip`);
  return `${lines.join('\n')}\n`;
}
