#!/usr/bin/env node
// Tiny launcher: the CLI is compiled into dist/ so start-up does not pay for TypeScript.
import('../dist/cli.js').then((cli) => cli.main(process.argv));
