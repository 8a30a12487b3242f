// Runs once before all test files: finds the real server binary and hands it to the workers.
import type { TestProject } from 'vitest/node';
import { findServerBinary } from './server-binary.js';

declare module 'vitest' {
  export interface ProvidedContext {
    vaultBin: string | null;
    vaultBinDescription: string;
  }
}

export default function setup(project: TestProject): void {
  const { binary, reason } = findServerBinary();
  if (!binary) {
    if (process.env.REQUIRE_VAULT === '1') {
      throw new Error(`REQUIRE_VAULT=1 but ${reason}`);
    }
    process.stderr.write(`\n!!! INTEGRATION TESTS SKIPPED: ${reason}\n\n`);
    project.provide('vaultBin', null);
    project.provide('vaultBinDescription', reason);
    return;
  }
  const description = `${binary.version} (${binary.source}: ${binary.path})`;
  process.stderr.write(`\nIntegration tests run against a real server: ${description}\n\n`);
  project.provide('vaultBin', binary.path);
  project.provide('vaultBinDescription', description);
}
