// The registry: every doctor check, in report order. A check may depend only on checks listed before it.
import type { Check } from '../types.js';
import { appConfigCheck } from './app-config.js';
import { dockerContainerCheck, dockerEngineCheck } from './docker.js';
import { envPermissionsCheck } from './env-permissions.js';
import { envPlaintextCheck } from './env-plaintext.js';
import { kvMountCheck } from './kv-mount.js';
import { mappingCheck } from './mapping.js';
import { networkTcpCheck } from './network-tcp.js';
import { networkTlsCheck } from './network-tls.js';
import { secretsPresentCheck } from './secrets-present.js';
import { serverHealthCheck } from './server-health.js';
import { serverProcessCheck } from './server-process.js';
import { settingsCheck } from './settings.js';
import { stateConsistencyCheck } from './state-consistency.js';
import { stateFileCheck } from './state-file.js';
import { appTokenCheck } from './token-app.js';
import { tokenPolicyCheck } from './token-policy.js';

export const DOCTOR_CHECKS: readonly Check[] = [
  settingsCheck,
  stateFileCheck,
  mappingCheck,
  appConfigCheck,
  dockerEngineCheck,
  dockerContainerCheck,
  serverProcessCheck,
  networkTcpCheck,
  networkTlsCheck,
  serverHealthCheck,
  kvMountCheck,
  appTokenCheck,
  tokenPolicyCheck,
  secretsPresentCheck,
  envPlaintextCheck,
  envPermissionsCheck,
  stateConsistencyCheck,
];
