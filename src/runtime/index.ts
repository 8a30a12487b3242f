import { BinaryRuntime } from './binary.js';
import { DockerRuntime } from './docker.js';
import { ExternalRuntime } from './external.js';
import type { RuntimeSettings, ServerRuntime } from './types.js';

export function createRuntime(settings: RuntimeSettings): ServerRuntime {
  switch (settings.kind) {
    case 'docker':
      return new DockerRuntime(settings);
    case 'binary':
      return new BinaryRuntime(settings);
    case 'external':
      return new ExternalRuntime(settings);
  }
}

export type { RuntimeKind, RuntimeSettings, ServerRuntime, ProcessState } from './types.js';
export { diagnoseLog, type KnownFailure } from './diagnose.js';
export { parseVaultAddress, isPortFree } from './ports.js';
