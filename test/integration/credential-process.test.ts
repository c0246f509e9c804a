/**
 * credential_process profiles end to end: HOME is a temp folder whose ~/.aws/config names a helper (a tiny
 * script run by this Node through the shell) that prints the emulator's keys with a session token, and
 * counts its runs. gw runs it once for concurrent requests and signs Bedrock calls with what it printed
 * (the emulator checks the signature); a role whose source_profile has the command is assumed with those
 * keys; a failing or missing command is an Anthropic-format 500 naming the profile, never quoting what
 * the command printed or its arguments.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_CREDENTIALS, startBedrockEmulator, type Emulator } from '@gw/bedrock-emulator';
import { tempDir } from './support/gateway.js';
import { awsHome, expectCredentialsError, profileEnv, useProfileGateways } from './support/profiles.js';
import { askMessages } from './support/bedrock.js';

const REGION = 'eu-west-1';
const ROLE = 'arn:aws:iam::123456789012:role/gw-process';
const SESSION = 'IQoJcredentialProcessSessionToken==';
const STDERR_SECRET = 'stderrOnlySecret-71d0';
const ARG_SECRET = 'argumentSecret-0b9c';
const KEYS = { accessKeyId: DEFAULT_CREDENTIALS.accessKeyId, secretAccessKey: DEFAULT_CREDENTIALS.secretAccessKey, sessionToken: SESSION };

describe('ai-proxy with credential_process profiles (real gateway, real child process, emulated STS and Bedrock)', () => {
  let emulator: Emulator;
  let counter: string;

  const { gatewayWith } = useProfileGateways(async () => {
    emulator = await startBedrockEmulator({ credentials: [KEYS], region: REGION });
    const url = `http://127.0.0.1:${emulator.port}`;
    const home = tempDir('gw-process-home-');
    mkdirSync(join(home, '.aws'));
    counter = join(home, 'runs');
    const helper = join(home, 'helper.mjs');
    writeFileSync(
      helper,
      `import { appendFileSync } from 'node:fs';
appendFileSync(${JSON.stringify(counter)}, 'x');
const keys = { Version: 1, AccessKeyId: ${JSON.stringify(KEYS.accessKeyId)}, SecretAccessKey: ${JSON.stringify(KEYS.secretAccessKey)}, SessionToken: ${JSON.stringify(SESSION)}, Expiration: new Date(Date.now() + 3600_000).toISOString() };
process.stdout.write(JSON.stringify(keys));
process.stderr.write(${JSON.stringify(STDERR_SECRET)});
if (process.argv[2] === 'fail') process.exitCode = 2;
`,
    );
    const run = (mode: string) => `"${process.execPath}" "${helper}" ${mode} --token ${ARG_SECRET}`;
    const config = join(home, '.aws', 'config');
    writeFileSync(
      config,
      `[profile proc]\nregion = ${REGION}\ncredential_process = ${run('ok')}\n\n` +
        `[profile ops]\nregion = ${REGION}\nrole_arn = ${ROLE}\nsource_profile = proc\n\n` +
        `[profile broken]\nregion = ${REGION}\ncredential_process = ${run('fail')}\n\n` +
        `[profile missing]\nregion = ${REGION}\ncredential_process = ${join(home, 'no-such-helper')} --token ${ARG_SECRET}\n`,
    );
    return {
      emulator,
      env: profileEnv(url, {
        ...awsHome(home),
      }),
    };
  });
  const runs = () => (existsSync(counter) ? readFileSync(counter, 'utf8').length : 0);

  it('runs the command once for concurrent requests and signs Bedrock calls with what it printed', async () => {
    const gateway = await gatewayWith('proc');
    const [before, ran] = [emulator.received.length, runs()];
    expect((await Promise.all([askMessages(gateway.url, 'dev'), askMessages(gateway.url, 'dev')])).map((a) => a.status)).toEqual([200, 200]);
    expect((await askMessages(gateway.url, 'dev')).status).toBe(200);
    expect(runs() - ran).toBe(1);
    const invokes = emulator.received.slice(before);
    expect(invokes.map((r) => [r.operation, r.signatureValid])).toEqual([['invoke', true], ['invoke', true], ['invoke', true]]);
    for (const invoke of invokes) {
      expect(invoke.headers.authorization).toMatch(new RegExp(`Credential=${KEYS.accessKeyId}/\\d{8}/${REGION}/bedrock/`));
      expect(invoke.headers['x-amz-security-token']).toBe(SESSION);
    }
  });

  it("assumes a profile's role with its source_profile's credential_process keys", async () => {
    const gateway = await gatewayWith('ops');
    const before = emulator.received.length;
    expect((await askMessages(gateway.url, 'dev')).status).toBe(200);
    const seen = emulator.received.slice(before);
    const sts = seen.filter((r) => r.operation === 'assume-role');
    expect(sts.map((r) => r.signatureValid)).toEqual([true]);
    expect(sts[0]!.headers.authorization).toContain(`Credential=${KEYS.accessKeyId}/`);
    expect(sts[0]!.headers['x-amz-security-token']).toBe(SESSION);
    const invokes = seen.filter((r) => r.operation === 'invoke');
    expect(invokes.map((r) => r.signatureValid)).toEqual([true]);
    expect(invokes[0]!.headers.authorization).toMatch(/Credential=ASIA[0-9A-F]+\//);
  });

  it.each([
    // The AWS SDK reports a failed command by its command line and stderr, which gw never shows: the profile is named.
    ['broken', "AWS profile 'broken' credential_process failed (its command line and output are not shown: they may hold secrets)"],
    ['missing', "AWS profile 'missing' credential_process failed (its command line and output are not shown: they may hold secrets)"],
  ])('profile %s: an Anthropic 500 naming the profile and the failure, quoting nothing the command saw or said', async (profile, problem) => {
    const { message, seen } = await expectCredentialsError(await gatewayWith(profile), emulator, [KEYS.secretAccessKey, SESSION, STDERR_SECRET, ARG_SECRET]);
    expect(message).toContain(`could not get AWS credentials (${problem})`);
    expect(seen).toEqual([]);
  });
});
