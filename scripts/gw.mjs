#!/usr/bin/env node
// `pnpm gw …` from a checkout: the built gw CLI, run in the folder the command was typed in. pnpm runs
// root scripts from the workspace root and passes the user's folder as INIT_CWD; without the chdir,
// `pnpm gw sync -s kong.yaml` in examples/claude-code-bedrock would look for kong.yaml at the root.
// Only when pnpm (or npm) runs this as the `gw` script: an INIT_CWD inherited from some outer script
// run must not move a direct `node scripts/gw.mjs`.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

if (process.env.npm_lifecycle_event === 'gw' && process.env.INIT_CWD) process.chdir(process.env.INIT_CWD);

const bin = new URL('../packages/cli/dist/bin.js', import.meta.url);
if (!existsSync(fileURLToPath(bin))) {
  console.error('gw: the CLI is not built yet: run `npx -y pnpm@10 build` once (from the repository root)');
  process.exit(1);
}
await import(bin.href);
