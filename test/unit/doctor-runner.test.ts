// The doctor runner: concurrency, dependencies, timeouts and crashes; and the report's roll-up and rendering.
import { describe, expect, it } from 'vitest';
import { buildReport, exitCodeFor, renderText, reportToJson } from '../../src/doctor/report.js';
import { runChecks } from '../../src/doctor/runner.js';
import type { Check, CheckOutcome, CheckResult, DoctorContext } from '../../src/doctor/types.js';

// The runner never looks inside the context; the checks below do not either.
const ctx = {} as DoctorContext;

function check(id: string, run: () => Promise<CheckResult>, extra: Partial<Check> = {}): Check {
  return { id, title: `title of ${id}`, run, ...extra };
}

const result = (status: CheckResult['status'], finding: string = status): CheckResult => ({ status, finding });

describe('runChecks', () => {
  it('runs independent checks concurrently (each waits for the other to have started)', async () => {
    let startB!: () => void;
    const bStarted = new Promise<void>((resolve) => (startB = resolve));
    let startA!: () => void;
    const aStarted = new Promise<void>((resolve) => (startA = resolve));
    const outcomes = await runChecks(
      [
        check('a', async () => {
          startA();
          await bStarted;
          return result('ok');
        }),
        check('b', async () => {
          startB();
          await aStarted;
          return result('ok');
        }),
      ],
      ctx,
      2_000,
    );
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['ok', 'ok']);
  });

  it('starts a dependent check only after its dependency finished, and keeps registry order in the result', async () => {
    const events: string[] = [];
    const outcomes = await runChecks(
      [
        check('first', async () => {
          await new Promise((resolve) => setTimeout(resolve, 30));
          events.push('first done');
          return result('warn');
        }),
        check('second', async () => {
          events.push('second started');
          return result('ok');
        }, { dependsOn: ['first'] }),
      ],
      ctx,
    );
    expect(events).toEqual(['first done', 'second started']);
    expect(outcomes.map((outcome) => outcome.id)).toEqual(['first', 'second']);
  });

  it('skips a check whose dependency failed or was skipped, naming the dependency', async () => {
    let ran = false;
    const outcomes = await runChecks(
      [
        check('server', async () => result('fail', 'down')),
        check('token', async () => {
          ran = true;
          return result('ok');
        }, { dependsOn: ['server'] }),
        check('secrets', async () => result('ok'), { dependsOn: ['token'] }),
      ],
      ctx,
    );
    expect(ran).toBe(false);
    expect(outcomes[1]).toEqual({ id: 'token', title: 'title of token', status: 'skip', finding: 'skipped: server failed' });
    expect(outcomes[2]!.finding).toBe('skipped: token was skipped');
  });

  it('fails a check that runs past its timeout with "timed out after N s"', async () => {
    const started = Date.now();
    const [outcome] = await runChecks([check('slow', () => new Promise<CheckResult>(() => undefined), { timeoutMs: 200 })], ctx);
    expect(outcome).toMatchObject({ status: 'fail', finding: 'timed out after 0.2 s' });
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('turns a check that throws into that check failing, not the whole run', async () => {
    const outcomes = await runChecks([check('broken', async () => Promise.reject(new Error('boom'))), check('fine', async () => result('ok'))], ctx);
    expect(outcomes[0]).toMatchObject({ status: 'fail', finding: 'the check itself failed: boom' });
    expect(outcomes[1]!.status).toBe('ok');
  });

  it('rejects a registry whose dependency is unknown or listed later (no cycles possible)', async () => {
    await expect(runChecks([check('a', async () => result('ok'), { dependsOn: ['b'] }), check('b', async () => result('ok'))], ctx)).rejects.toThrow(
      /a depends on b, which is not listed before it/,
    );
    await expect(runChecks([check('a', async () => result('ok')), check('a', async () => result('ok'))], ctx)).rejects.toThrow(/duplicate check id a/);
  });
});

function outcome(id: string, status: CheckOutcome['status'], extra: Partial<CheckOutcome> = {}): CheckOutcome {
  return { id, title: `Title ${id}`, status, finding: `finding of ${id}`, ...extra };
}

describe('report', () => {
  it('worst wins: ok and skip exit 0, a warning exits 3, any failure exits 1', () => {
    expect(exitCodeFor(buildReport([outcome('a', 'ok'), outcome('b', 'skip')]))).toBe(0);
    expect(exitCodeFor(buildReport([outcome('a', 'ok'), outcome('b', 'warn'), outcome('c', 'skip')]))).toBe(3);
    expect(exitCodeFor(buildReport([outcome('a', 'warn'), outcome('b', 'fail')]))).toBe(1);
    const report = buildReport([outcome('a', 'ok'), outcome('b', 'warn'), outcome('c', 'fail'), outcome('d', 'skip'), outcome('e', 'ok')]);
    expect(report.summary).toEqual({ ok: 2, warn: 1, fail: 1, skip: 1 });
    expect(report.ok).toBe(false);
    expect(buildReport([outcome('a', 'skip')]).ok).toBe(true);
  });

  it('JSON: every check has id, title, status, finding, fix and details', () => {
    const json = reportToJson(buildReport([outcome('a', 'ok'), outcome('b', 'fail', { fix: 'bybit-vault unseal', details: ['log line'] })])) as {
      ok: boolean;
      summary: Record<string, number>;
      checks: Array<Record<string, unknown>>;
    };
    expect(json.ok).toBe(false);
    expect(json.summary).toEqual({ ok: 1, warn: 0, fail: 1, skip: 0 });
    expect(json.checks[0]).toEqual({ id: 'a', title: 'Title a', status: 'ok', finding: 'finding of a', fix: null, details: [] });
    expect(json.checks[1]).toEqual({ id: 'b', title: 'Title b', status: 'fail', finding: 'finding of b', fix: 'bybit-vault unseal', details: ['log line'] });
  });

  it('text: a tag per check, indented fix and detail lines for problems only, a summary line', () => {
    const text = renderText(
      buildReport([
        outcome('settings', 'ok', { details: ['not shown for ok'] }),
        outcome('server.health', 'fail', { finding: 'sealed: unseal progress 1/3', fix: 'bybit-vault unseal', details: ['a log line'] }),
        outcome('env.plaintext', 'warn', { fix: 'bybit-vault migrate --remove-plaintext' }),
        outcome('token.app', 'skip', { finding: 'skipped: server.health failed' }),
      ]),
      { header: 'bybit-vault doctor: Vault at http://127.0.0.1:8200' },
    );
    expect(text).toBe(
      [
        'bybit-vault doctor: Vault at http://127.0.0.1:8200',
        '',
        '[ok]   settings       Title settings: finding of settings',
        '[fail] server.health  Title server.health: sealed: unseal progress 1/3',
        '       fix: bybit-vault unseal',
        '       | a log line',
        '[warn] env.plaintext  Title env.plaintext: finding of env.plaintext',
        '       fix: bybit-vault migrate --remove-plaintext',
        '[skip] token.app      Title token.app: skipped: server.health failed',
        '',
        'FAIL: 1 ok, 1 warn, 1 fail, 1 skip',
        '',
      ].join('\n'),
    );
  });
});
