#!/usr/bin/env node
// Installs the pinned Codex CLI into .cache/codex/<version>/ (once; later calls reuse it) and prints the
// command that runs it. Used by the end-to-end test (test/e2e/codex.test.ts) and by hand:
//   node scripts/install-codex.mjs
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { ensureNpmPackage } from './npm-cli-cache.mjs';

/**
 * 0.58.0: a custom provider can still speak the Chat Completions wire (`wire_api = "chat"`); Codex
 * deprecated it in early 2026 and later builds refuse it (they speak only the Responses API).
 */
export const CODEX_VERSION = '0.58.0';

/** `{ command, args }` that start the pinned Codex CLI (a Node launcher for its bundled native binary). */
export function ensureCodex(version = CODEX_VERSION) {
  const { pkg } = ensureNpmPackage('codex', '@openai/codex', version);
  return { command: process.execPath, args: [join(pkg, 'bin', 'codex.js')] };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { command, args } = ensureCodex(process.argv[2]);
  console.log(`${process.argv[2] ?? CODEX_VERSION}: ${[command, ...args].join(' ')}`);
}
