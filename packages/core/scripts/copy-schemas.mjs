#!/usr/bin/env node
// Copies the decK file's JSON Schemas from the repository's schemas/ (their single source, which editors
// read through modelines) into packages/core/schemas/, the copy @gw/core reads at run time and ships in
// its package. Run by the build, by `pnpm pack` (prepack) and before the tests (vitest globalSetup), so
// the copy follows every edit. Writes only files whose bytes changed, and removes ones no longer there.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

function copySchemas() {
  const from = fileURLToPath(new URL('../../../schemas/', import.meta.url));
  const to = fileURLToPath(new URL('../schemas/', import.meta.url));
  const names = readdirSync(from).filter((name) => name.endsWith('.schema.json'));
  if (names.length === 0) throw new Error(`copy-schemas: no *.schema.json in ${from}`);
  mkdirSync(to, { recursive: true });
  for (const name of names) {
    const bytes = readFileSync(join(from, name));
    const target = join(to, name);
    if (!existsSync(target) || !readFileSync(target).equals(bytes)) writeFileSync(target, bytes);
  }
  for (const name of readdirSync(to)) if (!names.includes(name)) rmSync(join(to, name));
}

// The default export is what vitest's globalSetup calls.
export default copySchemas;

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) copySchemas();
