/**
 * credential_process with real child processes: a small helper script (run by this Node through the
 * shell, as the SDK runs the command line) prints credentials, fails, hangs, or prints something wrong,
 * and counts its runs in a file. Checked: what is read, where the profile puts the command in the chain,
 * one run for concurrent requests and renewal before expiry, and that nothing the command printed or was
 * given as an argument reaches an error. Every file and HOME here is in a temp folder.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { processCredentials, programName, type ProcessSource } from '../../../src/auth/aws/process-credentials.js';
import { loadSharedProfile } from '../../../src/auth/aws/shared-files.js';
import { credentialsFor } from '../../../src/auth/aws/credentials.js';
import { aiProxyConfig } from '../../support/config.js';
import { failure } from '../../support/errors.js';

const SECRET = 'processSecret/Zq81+kLmN0pQ2rS3tU4vW5';
const TOKEN = 'IQoJprocessSessionTokenSECRET==';
const STDERR_SECRET = 'stderrSecretValue-9f8e7d';
const ARG_SECRET = 'argumentSecret-4c3b2a';

const root = mkdtempSync(join(tmpdir(), 'gw-process-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const script = join(root, 'helper.mjs');
// argv: mode (or a file holding it), run counter file, Expiration. Modes print what their name says.
writeFileSync(
  script,
  `import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
const [arg, counter, expiration] = process.argv.slice(2);
const mode = existsSync(arg) ? readFileSync(arg, 'utf8').trim() : arg;
if (counter) appendFileSync(counter, 'x');
if (counter) writeFileSync(counter + '.pid', String(process.pid));
const keys = { Version: 1, AccessKeyId: 'AKIAPROCESS', SecretAccessKey: ${JSON.stringify(SECRET)}, SessionToken: ${JSON.stringify(TOKEN)} };
if (expiration) keys.Expiration = expiration;
const print = (value) => process.stdout.write(JSON.stringify(value));
process.stderr.write(${JSON.stringify(STDERR_SECRET)});
if (mode === 'ok') print(keys);
else if (mode === 'no-token') print({ Version: 1, AccessKeyId: 'AKIALONGTERM', SecretAccessKey: ${JSON.stringify(SECRET)} });
else if (mode === 'env') print({ ...keys, AccessKeyId: process.env.GW_TEST_KEY_ID });
else if (mode === 'fail') { print(keys); process.exit(3); }
else if (mode === 'hang') setTimeout(() => print(keys), 60_000);
else if (mode === 'garbage') process.stdout.write('not json ' + ${JSON.stringify(SECRET)});
else if (mode === 'v2') print({ ...keys, Version: 2 });
else if (mode === 'v-string') print({ ...keys, Version: '1' });
else if (mode === 'no-secret') print({ Version: 1, AccessKeyId: 'AKIAPROCESS', SessionToken: ${JSON.stringify(TOKEN)} });
else if (mode === 'bad-expiration') print({ ...keys, Expiration: 'tomorrow ' + ${JSON.stringify(SECRET)} });
else if (mode === 'huge') process.stdout.write(JSON.stringify({ ...keys, Padding: 'x'.repeat(2 * 1024 * 1024) }));
`,
);

let count = 0;
function dir(): string {
  const path = join(root, String(++count));
  mkdirSync(path);
  return path;
}
const q = (s: string) => `"${s}"`;
/** A command line for the helper (an ARG_SECRET argument rides along), and the file counting its runs. */
function helper(mode: string, expiration = ''): { command: string; runs: () => number; pid: () => number | undefined } {
  const counter = join(dir(), 'runs');
  const command = `${q(process.execPath)} ${q(script)} ${q(mode)} ${q(counter)} ${q(expiration)} --token ${ARG_SECRET}`;
  return { command, runs: () => readFileSync(counter, 'utf8').length, pid: () => (existsSync(`${counter}.pid`) ? Number(readFileSync(`${counter}.pid`, 'utf8')) : undefined) };
}

/** Whether the process is gone (polled: SIGKILL and reaping are not instant); no pid: it never started. */
async function gone(pid: number | undefined): Promise<boolean> {
  if (pid === undefined) return true;
  for (let i = 0; i < 200; i++) {
    try {
      process.kill(pid, 0);
    } catch {
      return true;
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  return false;
}
const source = (command: string, profile = 'dev'): ProcessSource => ({ profile, command });
const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: root, AWS_EC2_METADATA_DISABLED: 'true' };
const inAnHour = () => new Date(Date.now() + 3600_000).toISOString();

describe('running the command', () => {
  it('reads the printed keys and session token', async () => {
    expect(await processCredentials(source(helper('ok').command), env)).toEqual({ accessKeyId: 'AKIAPROCESS', secretAccessKey: SECRET, sessionToken: TOKEN });
    expect(await processCredentials(source(helper('no-token').command), env)).toEqual({ accessKeyId: 'AKIALONGTERM', secretAccessKey: SECRET });
  });

  it("goes through the shell and gets gw's environment", async () => {
    const { command, runs } = helper('env');
    const shelled = command.replace(q(process.execPath), '"$GW_NODE"');
    const got = await processCredentials(source(shelled), { ...env, GW_NODE: process.execPath, GW_TEST_KEY_ID: 'AKIAFROMENV' });
    expect(got.accessKeyId).toBe('AKIAFROMENV');
    expect(runs()).toBe(1);
  });

  it('runs once for concurrent requests, and (without Expiration) never again', async () => {
    const { command, runs } = helper('ok');
    const shared = source(command);
    const [a, b] = await Promise.all([processCredentials(shared, env), processCredentials(shared, env)]);
    expect(a).toEqual(b);
    expect(await processCredentials(shared, env, {}, () => Date.now() + 365 * 24 * 3600_000)).toEqual(a);
    expect(runs()).toBe(1);
  });

  it('with Expiration, keeps the credentials until five minutes before it, then runs again', async () => {
    const expiration = inAnHour();
    const { command, runs } = helper('ok', expiration);
    const shared = source(command);
    await processCredentials(shared, env);
    await processCredentials(shared, env, {}, () => Date.parse(expiration) - 6 * 60_000);
    expect(runs()).toBe(1);
    await processCredentials(shared, env, {}, () => Date.parse(expiration) - 4 * 60_000);
    expect(runs()).toBe(2);
  });

  it('keeps no failure: the next request runs the command again', async () => {
    const modeFile = join(dir(), 'mode');
    writeFileSync(modeFile, 'fail');
    const { command, runs } = helper(modeFile);
    const shared = source(command);
    expect((await failure(processCredentials(shared, env))).message).toContain('exited with code 3');
    writeFileSync(modeFile, 'ok');
    expect((await processCredentials(shared, env)).accessKeyId).toBe('AKIAPROCESS');
    expect(runs()).toBe(2);
  });
});

describe('what goes wrong is named, never what the command printed or its arguments', () => {
  const past = new Date(Date.now() - 60_000).toISOString();
  it.each([
    ['fail', '', 'exited with code 3'],
    ['garbage', '', 'did not print JSON'],
    ['v2', '', 'did not print Version 1'],
    ['v-string', '', 'did not print Version 1'],
    ['no-secret', '', 'printed no SecretAccessKey'],
    ['bad-expiration', '', 'printed an Expiration that is not an ISO 8601 time'],
    ['ok', past, `returned credentials that expired at ${past}`],
    ['huge', '', 'printed more than 1048576 bytes'],
    ['hang', '', 'did not finish within 0.3 s'],
  ])('%s %s', async (mode, expiration, what) => {
    // Only the hanging helper gets a short limit: the others must not race a slow machine.
    const limits = mode === 'hang' ? { timeoutMs: 300 } : {};
    const error = await failure(processCredentials(source(helper(mode, expiration).command, 'corp'), env, limits));
    expect(error.code).toBe('GW_ERR_AI_CREDENTIALS_FAILED');
    expect(error.message).toBe(`LLM request failed before proxying: could not get AWS credentials (AWS profile 'corp' credential_process (node) ${what})`);
    for (const text of [error.message, String(error.stack), JSON.stringify(error)]) {
      for (const secret of [SECRET, TOKEN, STDERR_SECRET, ARG_SECRET, root]) expect(text).not.toContain(secret);
    }
  });

  it('a timed-out command is killed with what the shell started, not left running', async () => {
    const { command, pid } = helper('hang');
    // A compound command, so the shell can't just exec the helper in its own place.
    const error = await failure(processCredentials(source(`${command}; true`), env, { timeoutMs: 300 }));
    expect(error.message).toContain('did not finish within 0.3 s');
    expect(await gone(pid())).toBe(true);
  });

  it('a command the shell cannot find', async () => {
    const error = await failure(processCredentials(source(`${join(root, 'no-such-helper')} --token ${ARG_SECRET}`), env));
    expect(error.message).toContain("AWS profile 'dev' credential_process (no-such-helper) exited with code 127 (command not found)");
    expect(error.message).not.toContain(ARG_SECRET);
  });

  it('shows only the file name of the program, and nothing that is not one', () => {
    expect(programName('/opt/bin/cred-helper --secret x')).toBe('cred-helper');
    expect(programName('"C:\\Program Files\\Vault\\vault.exe" read x')).toBe('vault.exe');
    expect(programName("'/usr/local/bin/aws-vault' export dev")).toBe('aws-vault');
    expect(programName(`TOKEN=${ARG_SECRET} helper`)).toBe('command');
    expect(programName('$(cat /secret)')).toBe('command');
  });
});

describe('credential_process in the shared files', () => {
  /** The profile the plugin would read from this config file (HOME and both files in a temp folder). */
  async function profileFrom(config: string, profile = 'p') {
    const home = dir();
    writeFileSync(join(home, 'config'), config);
    const vars: NodeJS.ProcessEnv = { ...env, HOME: home, AWS_CONFIG_FILE: join(home, 'config'), AWS_SHARED_CREDENTIALS_FILE: join(home, 'credentials'), AWS_PROFILE: profile };
    return { vars, profile: await loadSharedProfile(vars) };
  }
  const bedrock = aiProxyConfig({ model: { provider: 'bedrock', name: 'm' } });

  it("signs with the command's credentials; the profile's own keys come first, SSO after", async () => {
    const { command } = helper('ok');
    const found = await profileFrom(`[profile p]\ncredential_process = ${command}\nsso_session = corp\n`);
    expect(found.profile?.credentials).toEqual({ kind: 'process', process: { profile: 'p', command } });
    expect(await credentialsFor(bedrock, found.vars, 'us-east-1', found.profile)).toEqual({ accessKeyId: 'AKIAPROCESS', secretAccessKey: SECRET, sessionToken: TOKEN });
    const keys = await profileFrom(`[profile p]\ncredential_process = ${command}\naws_access_key_id = AKIAOWN\naws_secret_access_key = own\n`);
    expect(keys.profile?.credentials).toEqual({ kind: 'keys', keys: { accessKeyId: 'AKIAOWN', secretAccessKey: 'own' } });
  });

  it("a source_profile's credential_process signs the role's AssumeRole; a chained source still fails by name", async () => {
    const { command } = helper('ok');
    const role = '[profile p]\nrole_arn = arn:aws:iam::1:role/x\nsource_profile = base\n';
    const found = await profileFrom(`${role}[profile base]\ncredential_process = ${command}\n`);
    expect(found.profile?.credentials).toMatchObject({ kind: 'role', roleArn: 'arn:aws:iam::1:role/x', source: { profile: 'base', command } });
    const chained = await profileFrom(`${role}[profile base]\nrole_arn = arn:aws:iam::1:role/y\nsource_profile = root\ncredential_process = ${command}\n`);
    expect(chained.profile?.credentials).toMatchObject({ kind: 'failed', detail: expect.stringContaining('gw does not chain roles') });
  });
});
