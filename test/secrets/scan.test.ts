/**
 * The last test of the run (its own vitest project, run after all the others): nothing gw wrote during
 * the whole suite contains a test secret. "What gw wrote" is every file-log output under the run's
 * temporary folder (test/support/run-root.ts makes it every worker's TMPDIR, so all the tests' log files
 * land there) and everything gw printed or logged (test/support/gw-output.ts captures the output of every
 * `gw` process tests start and the loggers of in-process gateways). "A test secret" is every value the
 * tests treat as one: constants and fields the test sources name as keys, secrets or tokens, API keys and
 * bearer tokens they send, the AWS keys of the emulator, secrets written into the tests' config and
 * credential files, and secrets the helpers hand gw through its environment.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_CREDENTIALS } from '@gw/bedrock-emulator';
import { FINDINGS_FILE } from '../support/run-root.js';
import { NOTED_SECRETS_FILE, OUTPUT_DIR } from '../support/gw-output.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const root = process.env.GW_TEST_RUN_ROOT;

/** Every file under `dir`, recursively (symlinks not followed). */
function walk(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...walk(path));
    else if (entry.isFile()) out.push(path);
  }
  return out;
}

// A value counts as a secret when it is long enough not to occur by chance and has no spaces (messages
// and paths that constants happen to be named after are not secrets).
// ai-rate-limiting-advanced's policy conditions name a consumer attribute as `key` (`key: username`).
const FIELD_NAMES = new Set(['username', 'custom_id']);
const plausible = (value: string) =>
  value.length >= 8 && value !== 'REDACTED' && !FIELD_NAMES.has(value) && !/\s/.test(value) && !value.startsWith('/') && !value.includes('${');

const SOURCE_PATTERNS = [
  // const ALICE_KEY = '…', const CLIENT_SECRET = '…', const TOKEN = '…', const SESSION = '…'
  /\bconst\s+[A-Z0-9_]*(?:KEY|SECRET|TOKEN|SESSION|PASSWORD)[A-Z0-9_]*\s*=\s*'([^'\n]+)'/g,
  // { secretAccessKey: '…', sessionToken: '…', accessKeyId: '…' } and their AWS JSON spellings
  /\b(?:secretAccessKey|sessionToken|accessKeyId|SecretAccessKey|SessionToken|AccessKeyId|accessToken|refreshToken|clientSecret)\s*:\s*'([^'\n]+)'/g,
  // headers a client sends a key in
  /'(?:x-api-key|x_api_key|apikey|proxy-authorization|x-amz-security-token)'\s*:\s*'([^'\n]+)'/g,
  /\bapikey\s*:\s*'([^'\n]+)'/g,
  // bearer tokens, in any string
  /\b(?:Bearer|Basic)\s+([A-Za-z0-9._~+/=-]+)/g,
  // API keys in the shape of Anthropic's and OpenAI's, in any string
  /\b(sk-[A-Za-z0-9_-]{6,})/g,
];

/** Secret values named in the test sources (every test file and test support module of the repository). */
function sourceSecrets(): Set<string> {
  const dirs = ['test', 'examples', ...readdirSync(join(repoRoot, 'packages')).flatMap((p) => [`packages/${p}/test`, `packages/${p}/src`])];
  const files = dirs
    .map((d) => join(repoRoot, d))
    .filter((d) => existsSync(d))
    .flatMap(walk)
    .filter((f) => /\.(ts|mjs|js)$/.test(f) && !f.includes('node_modules') && (/[/\\]test[/\\]/.test(f) || f.endsWith('.test.ts')))
    // The scan's own machinery names files, not secrets.
    .filter((f) => !f.startsWith(join(repoRoot, 'test', 'secrets')) && !f.startsWith(join(repoRoot, 'test', 'support')));
  const found = new Set<string>();
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    for (const pattern of SOURCE_PATTERNS) for (const match of text.matchAll(pattern)) if (plausible(match[1]!)) found.add(match[1]!);
  }
  return found;
}

const INPUT_PATTERN = /\b(?:key|header_value|param_value|aws_secret_access_key|aws_session_token|accessToken|refreshToken|clientSecret|SecretAccessKey|SessionToken|Token)"?\s*[:=]\s*["']?([^\s"',}\]]+)/g;

/** A file-log output: its lines are Kong log records. */
function isLogOutput(text: string): boolean {
  for (const line of text.split('\n', 50)) {
    if (!line.startsWith('{')) continue;
    try {
      const record = JSON.parse(line) as Record<string, unknown>;
      if (typeof record.request === 'object' && 'started_at' in record) return true;
    } catch {
      // not a record
    }
  }
  return false;
}

describe('test secrets in what gw wrote during the whole run', () => {
  it.skipIf(root === undefined)('finds none in any file-log output or anything gw printed or logged', () => {
    const files = walk(root!);
    const outputs: string[] = [];
    const secrets = sourceSecrets();
    for (const c of DEFAULT_CREDENTIALS) for (const v of [c.accessKeyId, c.secretAccessKey, c.sessionToken]) if (v) secrets.add(v);
    for (const file of files) {
      const name = relative(root!, file);
      if (name === FINDINGS_FILE) continue;
      if (name === NOTED_SECRETS_FILE) {
        for (const line of readFileSync(file, 'utf8').split('\n')) if (plausible(line)) secrets.add(line);
        continue;
      }
      if (statSync(file).size > 256 * 2 ** 20) continue;
      const text = readFileSync(file, 'utf8');
      if (name.startsWith(`${OUTPUT_DIR}/`) || isLogOutput(text)) outputs.push(file);
      // Anything else is a test's input (a kong.yaml, an AWS credentials file, an SSO cache): the secrets
      // in it are secrets gw must not repeat.
      else for (const match of text.matchAll(INPUT_PATTERN)) if (plausible(match[1]!)) secrets.add(match[1]!);
    }
    const needles = [...secrets].flatMap((s) => (encodeURIComponent(s) === s ? [s] : [s, encodeURIComponent(s)]));
    const hits: string[] = [];
    for (const file of outputs) {
      const text = readFileSync(file, 'utf8');
      for (const needle of needles) if (text.includes(needle)) hits.push(`${relative(root!, file)}: ${needle}`);
    }
    if (hits.length > 0) writeFileSync(join(root!, FINDINGS_FILE), `${hits.join('\n')}\n`);
    const logOutputs = outputs.filter((f) => !relative(root!, f).startsWith(`${OUTPUT_DIR}/`)).length;
    console.log(`secret scan: ${secrets.size} secrets, ${logOutputs} file-log outputs, ${outputs.length - logOutputs} gw output captures, ${files.length} files under ${root}`);
    expect(hits).toEqual([]);
    // The scan saw what the suite wrote (a run with nothing to read proves nothing); a run of single files
    // may have written nothing, which is fine.
    if (files.length > 50) {
      expect(logOutputs).toBeGreaterThan(0);
      expect(outputs.length - logOutputs).toBeGreaterThan(0);
      expect(secrets.size).toBeGreaterThan(20);
    }
  });
});
