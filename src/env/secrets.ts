// Heuristic for "this variable probably holds a secret": used to suggest mapping entries and to mask output.

/** Name parts that mark a secret; matched against whole parts so MONKEY or KEYBOARD_LAYOUT do not count. */
const SECRET_NAME_PARTS = new Set([
  'KEY',
  'KEYS',
  'APIKEY',
  'SECRET',
  'SECRETS',
  'TOKEN',
  'TOKENS',
  'PASSWORD',
  'PASSWORDS',
  'PASS',
  'PASSWD',
  'PASSPHRASE',
  'PRIVATE',
  'CREDENTIAL',
  'CREDENTIALS',
]);

/** `scheme://user:password@` or `scheme://:password@` anywhere in the value (a non-empty password). */
const URL_WITH_PASSWORD = /[a-z][a-z0-9+.-]*:\/\/[^\s/?#@:]*:[^\s/?#@]+@/i;

export function looksLikeSecret(key: string, value: string): boolean {
  return nameParts(key).some((part) => SECRET_NAME_PARTS.has(part)) || URL_WITH_PASSWORD.test(value);
}

/** BYBIT_API_KEY, bybit-api.key and bybitApiKey all give BYBIT, API, KEY. */
function nameParts(key: string): string[] {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .split(/[^A-Za-z0-9]+/)
    .filter((part) => part !== '')
    .map((part) => part.toUpperCase());
}
