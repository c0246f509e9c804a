#!/usr/bin/env node
// Installs pinned Claude Code CLI builds into .cache/claude-code/<version>/ (once; later calls reuse them)
// and prints, per version, the command that runs it. Used by the end-to-end tests and by hand:
//   node scripts/install-claude-code.mjs            # all pinned versions
//   node scripts/install-claude-code.mjs 2.1.330    # one
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { ensureNpmPackage } from './npm-cli-cache.mjs';

/** The builds the e2e suite covers: 2.1.x ships a native binary; 2.0.x is plain JS run by this Node. */
export const PINNED = ['2.1.330', '2.0.37'];

/**
 * Returns `{ command, args }` that start the given Claude Code build, installing it first if needed.
 * @param {string} version
 */
export function ensureClaudeCode(version) {
  const { prefix, pkg } = ensureNpmPackage('claude-code', '@anthropic-ai/claude-code', version);
  // 2.0.x: cli.js on Node. 2.1.x: the wrapper's bin points at a native executable.
  const cliJs = join(pkg, 'cli.js');
  if (existsSync(cliJs)) return { command: process.execPath, args: [cliJs] };
  return { command: join(prefix, 'node_modules', '.bin', 'claude'), args: [] };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const versions = process.argv.length > 2 ? process.argv.slice(2) : PINNED;
  for (const version of versions) {
    const { command, args } = ensureClaudeCode(version);
    console.log(`${version}: ${[command, ...args].join(' ')}`);
  }
}
