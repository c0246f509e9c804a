/**
 * vitest globalSetup: one temporary folder for the whole run. Every worker (and every process it starts
 * that keeps the environment) gets it as TMPDIR, so each test's mkdtemp(tmpdir()) — config files,
 * file-log outputs — lands under it, and the captured gw output goes to its `gw-output/` folder
 * (gw-output.ts). test/secrets/scan.test.ts, which runs after every other test, reads it all; the folder
 * is removed at the end unless the scan found a secret (or GW_KEEP_TEST_RUN=1), so it can be inspected.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Written by the scan when it found something: the folder is kept. */
export const FINDINGS_FILE = 'SECRETS-FOUND.txt';

export default function setup(): () => void {
  const root = mkdtempSync(join(tmpdir(), 'gw-test-run-'));
  process.env.GW_TEST_RUN_ROOT = root;
  process.env.TMPDIR = root;
  process.env.TMP = root;
  process.env.TEMP = root;
  return () => {
    if (existsSync(join(root, FINDINGS_FILE)) || process.env.GW_KEEP_TEST_RUN === '1') {
      console.error(`gw tests: kept ${root}`);
      return;
    }
    rmSync(root, { recursive: true, force: true });
  };
}
