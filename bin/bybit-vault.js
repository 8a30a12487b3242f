#!/usr/bin/env -S node --
// `--` ends node's own options: without it node 20 claims our --env-file flag as its own and exits 9.
// Tiny launcher: the CLI is compiled into dist/ so start-up does not pay for TypeScript.
import('../dist/cli.js').then((cli) => cli.main(process.argv));
