// Naming rules for mapping entries, shared by the file loader and the policy generator.

export const VARIABLE_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

// Excludes the policy globs `*` and `+`, quotes and URL specials, so a path can never widen the generated policy.
const PATH_SEGMENT_PATTERN = /^[A-Za-z0-9_.@-]+$/;

// KV v2 API prefixes: `secret/data/x` is how the HTTP API spells the secret `x`.
const KV_API_PREFIXES = ['data', 'metadata'] as const;

export interface PathViolation {
  problem: string;
  /** The path the operator most likely meant, when one can be derived safely. */
  suggestion?: string;
}

export function checkVariableName(variable: string): string | undefined {
  if (variable === '') return 'variable name is empty';
  if (!VARIABLE_NAME_PATTERN.test(variable)) {
    return `variable name "${variable}" is not valid: use letters, digits, "_", "." or "-", not starting with a digit`;
  }
  return undefined;
}

export function suggestVariableName(variable: string): string {
  const cleaned = variable.trim().replace(/[^A-Za-z0-9_.-]/g, '_');
  return /^[A-Za-z_]/.test(cleaned) ? cleaned : `_${cleaned}`;
}

export function checkFieldName(field: string): string | undefined {
  if (field.trim() === '') return 'field name is empty';
  if (field !== field.trim()) return `field name "${field}" has leading or trailing spaces`;
  return undefined;
}

export function checkMount(mount: string): string | undefined {
  if (mount.trim() === '') return 'mount is empty';
  if (mount.startsWith('/') || mount.endsWith('/')) {
    return `mount "${mount}" must not start or end with "/"; use "${trimSlashes(mount)}"`;
  }
  const badSegment = mount.split('/').find((segment) => !isValidSegment(segment));
  if (badSegment !== undefined) {
    return `mount "${mount}" has an invalid segment "${badSegment}": use letters, digits, "_", ".", "@" or "-"`;
  }
  return undefined;
}

/** Checks a KV path relative to `mount`; returns the first problem found, with a corrected path when possible. */
export function checkSecretPath(path: string, mount: string): PathViolation | undefined {
  const suggestion = suggestSecretPath(path, mount);
  const withSuggestion = (problem: string): PathViolation =>
    suggestion === undefined ? { problem } : { problem: `${problem}; use "${suggestion}"`, suggestion };

  if (path.trim() === '') return { problem: 'path is empty' };
  if (path.startsWith('/') || path.endsWith('/')) {
    return withSuggestion(`path "${path}" must not start or end with "/"`);
  }
  if (path === mount || path.startsWith(`${mount}/`)) {
    return withSuggestion(`path "${path}" starts with the mount name "${mount}": paths are relative to the mount`);
  }
  const apiPrefix = KV_API_PREFIXES.find((prefix) => path === prefix || path.startsWith(`${prefix}/`));
  if (apiPrefix !== undefined) {
    return withSuggestion(
      `path "${path}" starts with "${apiPrefix}/", which belongs to the KV v2 API path (${mount}/${apiPrefix}/<path>), not to the secret's path`,
    );
  }
  const segments = path.split('/');
  if (segments.some((segment) => segment === '')) {
    return withSuggestion(`path "${path}" has an empty segment ("//")`);
  }
  if (segments.some((segment) => segment === '..' || segment === '.')) {
    return { problem: `path "${path}" contains a "." or ".." segment; write the path out in full` };
  }
  const badSegment = segments.find((segment) => !isValidSegment(segment));
  if (badSegment !== undefined) {
    return {
      problem: `path "${path}" has an invalid segment "${badSegment}": use letters, digits, "_", ".", "@" or "-" (no spaces or "*", "+", "#", quotes)`,
    };
  }
  return undefined;
}

/** Strips what operators commonly paste by mistake: slashes, the mount, the `data/`/`metadata/` API prefix. */
export function suggestSecretPath(path: string, mount: string): string | undefined {
  let segments = path.split('/').filter((segment) => segment !== '');
  const mountSegments = mount.split('/').filter((segment) => segment !== '');
  if (mountSegments.length > 0 && mountSegments.every((segment, index) => segments[index] === segment)) {
    segments = segments.slice(mountSegments.length);
  }
  if ((KV_API_PREFIXES as readonly string[]).includes(segments[0] ?? '')) segments = segments.slice(1);
  const suggestion = segments.join('/');
  const isUsable = segments.length > 0 && segments.every((segment) => isValidSegment(segment) && segment !== '.' && segment !== '..');
  return isUsable && suggestion !== path ? suggestion : undefined;
}

function isValidSegment(segment: string): boolean {
  return PATH_SEGMENT_PATTERN.test(segment);
}

function trimSlashes(value: string): string {
  return value.replace(/^\/+|\/+$/g, '');
}
