// Loads a mapping file (JSON or YAML) and validates it into a Mapping, or explains every mistake with an example.
import { readFile } from 'node:fs/promises';
import YAML from 'yaml';
import { z } from 'zod';
import { ConfigError } from '../errors.js';
import { DEFAULT_MAPPING, DEFAULT_MOUNT, cloneMapping } from './defaults.js';
import { formatFromExtension, parseDocument, type DocumentFormat } from './parse-document.js';
import {
  checkFieldName,
  checkMount,
  checkSecretPath,
  checkVariableName,
  suggestSecretPath,
  suggestVariableName,
} from './rules.js';
import type { Mapping, MappingEntry } from './types.js';

const mappingFileSchema = z.strictObject({
  mount: z.string().default(DEFAULT_MOUNT),
  mode: z.enum(['extend', 'replace']).default('extend'),
  // Validated below by the list or the map schema, so errors speak about the form the operator wrote.
  secrets: z.unknown().optional(),
});

const listEntrySchema = z.strictObject({
  variable: z.string(),
  path: z.string(),
  field: z.string(),
  optional: z.boolean().default(false),
});

const mapEntrySchema = listEntrySchema.omit({ variable: true });

type SecretsForm = 'list' | 'map';

interface ExampleEntry {
  variable: string;
  path: string;
  field: string;
}

const SAMPLE_ENTRY: ExampleEntry = { variable: 'STRIPE_KEY', path: 'payments/stripe', field: 'api_key' };

interface Problem {
  /** e.g. `secrets[2] (STRIPE_KEY)`, `secrets.STRIPE_KEY`, `mode`. */
  where: string;
  what: string;
  /** Shown as a corrected entry in the hint; absent for file-level problems, which get a whole-file example. */
  example?: ExampleEntry;
  form?: SecretsForm;
  advice?: string;
}

interface SourcedEntry {
  entry: MappingEntry;
  where: string;
  fromDefaults: boolean;
}

/** Reads the mapping: the default table when no file is given, else the file (JSON or YAML) validated. */
export async function loadMapping(file?: string): Promise<Mapping> {
  if (file === undefined) return cloneMapping(DEFAULT_MAPPING);
  return parseMapping(await readMappingFile(file), file, formatFromExtension(file));
}

/** Parses mapping text; `source` names it in errors; without `format` JSON is tried, then YAML. */
export function parseMapping(text: string, source: string, format?: DocumentFormat): Mapping {
  if (text.trim() === '') throw emptyFileError(source, format ?? 'yaml');
  const document = parseDocument(text, source, format);
  if (document.value === null || document.value === undefined) throw emptyFileError(source, document.format);

  const problems: Problem[] = [];
  const parsed = mappingFileSchema.safeParse(document.value);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      problems.push({ where: 'top level', what: describeIssue(issue, document.value, mappingFileSchema.shape) });
    }
    throw mappingError(source, document.format, problems);
  }

  const { mount, mode, secrets } = parsed.data;
  const mountProblem = checkMount(mount);
  if (mountProblem !== undefined) {
    throw mappingError(source, document.format, [{ where: 'mount', what: mountProblem }]);
  }

  const fileEntries = readSecrets(secrets, mount, problems);
  reportDuplicateVariables(fileEntries, problems);
  if (mode === 'replace' && fileEntries.length === 0 && problems.length === 0) {
    problems.push({
      where: 'secrets',
      what: 'mode "replace" with no secrets would map nothing',
      advice: 'List the secrets to migrate, or use mode "extend" to keep the default table.',
    });
  }
  const entries = mode === 'replace' ? fileEntries : extendDefaults(fileEntries);
  reportSharedTargets(entries, problems);

  if (problems.length > 0) throw mappingError(source, document.format, problems);
  return { mount, entries: entries.map(({ entry }) => entry) };
}

async function readMappingFile(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT' ? 'it does not exist'
      : code === 'EACCES' || code === 'EPERM' ? 'permission denied'
      : code === 'EISDIR' ? 'it is a directory'
      : (error as Error).message;
    throw new ConfigError(`Cannot read mapping file ${file}: ${reason}`, {
      hint: `Check the --mapping path (relative paths start from ${process.cwd()}), or omit --mapping to use the default table.`,
      cause: error,
    });
  }
}

function readSecrets(secrets: unknown, mount: string, problems: Problem[]): SourcedEntry[] {
  if (secrets === undefined || secrets === null) return []; // `secrets:` with nothing under it parses as null
  if (Array.isArray(secrets)) return secrets.flatMap((item, index) => readListEntry(item, index, mount, problems));
  if (isPlainObject(secrets)) {
    return Object.entries(secrets).flatMap(([variable, value]) => readMapEntry(variable, value, mount, problems));
  }
  problems.push({
    where: 'secrets',
    what: 'must be a list of entries (variable, path, field) or a map of VARIABLE: "path#field"',
  });
  return [];
}

function readListEntry(item: unknown, index: number, mount: string, problems: Problem[]): SourcedEntry[] {
  const variable = isPlainObject(item) && typeof item.variable === 'string' ? item.variable : undefined;
  const where = variable === undefined ? `secrets[${index}]` : `secrets[${index}] (${variable})`;
  const parsed = listEntrySchema.safeParse(item);
  if (!parsed.success) {
    const example = exampleFrom(item, mount, variable);
    for (const issue of parsed.error.issues) {
      problems.push({ where, what: describeIssue(issue, item, listEntrySchema.shape), example, form: 'list' });
    }
    return [];
  }
  return validEntry(parsed.data, where, mount, 'list', problems);
}

function readMapEntry(variable: string, value: unknown, mount: string, problems: Problem[]): SourcedEntry[] {
  const where = `secrets.${variable}`;
  if (typeof value === 'string') {
    const separator = value.indexOf('#');
    if (separator === -1) {
      problems.push({
        where,
        what: `"${value}" has no field: write "path#field"`,
        example: exampleFrom({ path: value }, mount, variable),
        form: 'map',
      });
      return [];
    }
    const entry = { variable, path: value.slice(0, separator), field: value.slice(separator + 1), optional: false };
    return validEntry(entry, where, mount, 'map', problems);
  }
  const parsed = mapEntrySchema.safeParse(value);
  if (!parsed.success) {
    const example = exampleFrom(value, mount, variable);
    for (const issue of parsed.error.issues) {
      const what = isPlainObject(value)
        ? describeIssue(issue, value, mapEntrySchema.shape)
        : 'must be "path#field" or an object with path, field and optional';
      problems.push({ where, what, example, form: 'map' });
    }
    return [];
  }
  return validEntry({ variable, ...parsed.data }, where, mount, 'map', problems);
}

function validEntry(entry: MappingEntry, where: string, mount: string, form: SecretsForm, problems: Problem[]): SourcedEntry[] {
  const example = exampleFrom(entry, mount, entry.variable);
  const found = [
    checkVariableName(entry.variable),
    checkSecretPath(entry.path, mount)?.problem,
    checkFieldName(entry.field),
  ].filter((problem): problem is string => problem !== undefined);
  for (const what of found) problems.push({ where, what, example, form });
  return found.length === 0 ? [{ entry, where, fromDefaults: false }] : [];
}

function reportDuplicateVariables(entries: SourcedEntry[], problems: Problem[]): void {
  const firstSeen = new Map<string, SourcedEntry>();
  for (const sourced of entries) {
    const first = firstSeen.get(sourced.entry.variable);
    if (first === undefined) {
      firstSeen.set(sourced.entry.variable, sourced);
      continue;
    }
    problems.push({
      where: sourced.where,
      what: `variable ${sourced.entry.variable} is mapped twice (also at ${first.where}); map each variable once`,
      advice: 'Remove one of the two entries.',
    });
  }
}

/** Extend mode: file entries replace default entries of the same variable in place; new ones follow. */
function extendDefaults(fileEntries: SourcedEntry[]): SourcedEntry[] {
  const overrides = new Map(fileEntries.map((sourced) => [sourced.entry.variable, sourced]));
  const fromDefaults = DEFAULT_MAPPING.entries.map(
    (entry): SourcedEntry => overrides.get(entry.variable) ?? { entry: { ...entry }, where: 'default table', fromDefaults: true },
  );
  const defaultVariables = new Set(DEFAULT_MAPPING.entries.map((entry) => entry.variable));
  return [...fromDefaults, ...fileEntries.filter((sourced) => !defaultVariables.has(sourced.entry.variable))];
}

function reportSharedTargets(entries: SourcedEntry[], problems: Problem[]): void {
  const owners = new Map<string, SourcedEntry>();
  for (const sourced of entries) {
    const target = `${sourced.entry.path}#${sourced.entry.field}`;
    const owner = owners.get(target);
    if (owner === undefined) {
      owners.set(target, sourced);
      continue;
    }
    // Blame the file entry: the default table is not something the operator wrote.
    const [reported, other] = sourced.fromDefaults ? [owner, sourced] : [sourced, owner];
    if (reported.entry.variable === other.entry.variable) continue; // already reported as a duplicate variable
    problems.push({
      where: reported.where,
      what: `${target} is already mapped to ${other.entry.variable} (${other.where}); two variables cannot share one field`,
      example: { ...reported.entry, field: reported.entry.variable.toLowerCase() },
      advice: other.fromDefaults
        ? `Use another field, map ${other.entry.variable} itself to override the default, or set mode: replace.`
        : 'Use another field or path for one of them.',
    });
  }
}

function exampleFrom(candidate: unknown, mount: string, variable: string | undefined): ExampleEntry {
  const fields = isPlainObject(candidate) ? candidate : {};
  const path = typeof fields.path === 'string' ? fields.path : undefined;
  const field = typeof fields.field === 'string' ? fields.field : undefined;
  return {
    variable:
      variable === undefined ? SAMPLE_ENTRY.variable
      : checkVariableName(variable) === undefined ? variable
      : suggestVariableName(variable),
    path:
      path === undefined ? SAMPLE_ENTRY.path
      : checkSecretPath(path, mount) === undefined ? path
      : (suggestSecretPath(path, mount) ?? SAMPLE_ENTRY.path),
    field: field !== undefined && checkFieldName(field) === undefined ? field : (field?.trim() || SAMPLE_ENTRY.field),
  };
}

/** Says what is wrong with one zod issue; `input` is the object the issue's path starts from. */
function describeIssue(issue: z.core.$ZodIssue, input: unknown, shape: Record<string, unknown>): string {
  const key = issue.path.map(String).join('.');
  const value = valueAt(input, issue.path);
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.map((name) => `"${name}"`).join(', ');
    return `unknown key ${keys} (allowed: ${Object.keys(shape).join(', ')})`;
  }
  if (issue.code === 'invalid_type' && issue.path.length === 0) {
    return `must be an object with ${Object.keys(shape).join(', ')}`;
  }
  if (issue.code === 'invalid_type' && value === undefined) return `"${key}" is missing`;
  const reason = issue.message.replace(/^Invalid input: /, '');
  const given = issue.code === 'invalid_value' ? ` (got ${JSON.stringify(value)})` : '';
  return `"${key}": ${reason}${given}`;
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let current = input;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

function emptyFileError(source: string, format: DocumentFormat): ConfigError {
  return new ConfigError(`Mapping file ${source} is empty`, {
    hint: `A mapping file looks like this:\n${renderExample(undefined, 'list', format)}`,
  });
}

function mappingError(source: string, format: DocumentFormat, problems: Problem[]): ConfigError {
  const [first] = problems;
  if (first === undefined) throw new Error('mappingError needs at least one problem');
  const lines = problems.map((problem) => `${problem.where}: ${problem.what}`);
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more, listed below)` : '';
  const exampleTitle = first.example === undefined ? 'A valid mapping file:' : 'A valid entry:';
  const hint = [first.advice, exampleTitle, renderExample(first.example, first.form ?? 'list', format)]
    .filter((line) => line !== undefined)
    .join('\n');
  return new ConfigError(`Mapping file ${source}: ${lines[0]}${more}`, {
    hint,
    details: problems.length > 1 ? lines : [],
  });
}

function renderExample(example: ExampleEntry | undefined, form: SecretsForm, format: DocumentFormat): string {
  const entry = example ?? SAMPLE_ENTRY;
  const secrets = form === 'map' ? { [entry.variable]: `${entry.path}#${entry.field}` } : [entry];
  const document = example === undefined ? { mount: DEFAULT_MOUNT, mode: 'extend', secrets } : { secrets };
  return format === 'json' ? JSON.stringify(document, null, 2) : YAML.stringify(document).trimEnd();
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
