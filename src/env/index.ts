// The only code that reads or writes the application's .env files.
export type { EnvAssignment, EnvDocument, EnvEntry, EnvWarning, LineEnding, QuoteStyle } from './types.js';
export { parseEnvBuffer, readEnvFile, DOTENV_LINE_PATTERN } from './parse.js';
export { setVariables, removeVariables, restoreVariables } from './rewrite.js';
export { serializeValue, serializeValueInStyle } from './serialize.js';
export { writeEnvFile, backupEnvFile } from './files.js';
export { looksLikeSecret } from './secrets.js';
