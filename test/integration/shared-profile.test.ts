/**
 * The AWS shared files end to end, as a developer runs gw after `aws configure`: no keys and no region in
 * kong.yaml, AWS_PROFILE picks a profile from temp credentials/config files. gw signs Bedrock calls with
 * the profile's keys and region (the emulator checks the signature and its region), or assumes the
 * profile's role_arn with its source_profile's keys through the emulator's STS; an incomplete or missing
 * profile is an Anthropic-format 500 that names it, and the gateway still starts.
 */
import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startBedrockEmulator, type Emulator } from '@gw/bedrock-emulator';
import { tempDir } from './support/gateway.js';
import { expectCredentialsError, expectTemporaryInvokes, profileEnv, useProfileGateways } from './support/profiles.js';
import { AWS_KEYS, askMessages } from './support/bedrock.js';

const REGION = 'eu-west-1';
const ROLE = 'arn:aws:iam::123456789012:role/gw-ops';


describe('ai-proxy with AWS shared config/credentials profiles (real gateway, emulated STS and Bedrock)', () => {
  let emulator: Emulator;

  const { gatewayWith } = useProfileGateways(async () => {
    emulator = await startBedrockEmulator({ credentials: [AWS_KEYS], region: REGION });
    const url = `http://127.0.0.1:${emulator.port}`;
    const dir = tempDir('gw-aws-');
    const credentials = join(dir, 'credentials');
    const config = join(dir, 'config');
    writeFileSync(credentials, `# aws configure --profile dev\n[dev]\naws_access_key_id = ${AWS_KEYS.accessKeyId}\naws_secret_access_key = ${AWS_KEYS.secretAccessKey}\n`);
    writeFileSync(
      config,
      `[profile dev]\nregion = ${REGION}\ns3 =\n  max_concurrent_requests = 10\n\n` +
        `[profile ops]\nregion = ${REGION}\nrole_arn = ${ROLE}\nsource_profile = dev\nrole_session_name = gw-laptop\nexternal_id = ext-42\n\n` +
        `[profile sso]\nsso_session = corp\nsso_account_id = 123456789012\nregion = ${REGION}\n`,
    );
    return {
      emulator,
      env: profileEnv(url, {
        AWS_SHARED_CREDENTIALS_FILE: credentials,
        AWS_CONFIG_FILE: config,
      }),
    };
  });

  it("signs with the profile's keys and region, not the environment's keys", async () => {
    const gateway = await gatewayWith('dev');
    const before = emulator.received.length;
    const answer = await askMessages(gateway.url, 'dev');
    expect(answer.status).toBe(200);
    const [invoke, ...rest] = emulator.received.slice(before);
    expect(rest).toEqual([]);
    expect(invoke!.operation).toBe('invoke');
    expect(invoke!.signatureValid).toBe(true);
    expect(invoke!.headers.authorization).toMatch(new RegExp(`Credential=${AWS_KEYS.accessKeyId}/\\d{8}/${REGION}/bedrock/`));
    expect(invoke!.headers['x-amz-security-token']).toBeUndefined();
  });

  it("assumes the profile's role with its source_profile's keys, and signs Bedrock calls with the session", async () => {
    const gateway = await gatewayWith('ops');
    const before = emulator.received.length;
    expect((await Promise.all([askMessages(gateway.url, 'dev'), askMessages(gateway.url, 'dev')])).map((a) => a.status)).toEqual([200, 200]);
    const seen = emulator.received.slice(before);
    const sts = seen.filter((r) => r.operation === 'assume-role');
    expect(sts).toHaveLength(1);
    expect(sts[0]!.signatureValid).toBe(true);
    expect(sts[0]!.headers.authorization).toContain(`Credential=${AWS_KEYS.accessKeyId}/`);
    expect(Object.fromEntries(new URLSearchParams(sts[0]!.body.toString()))).toMatchObject({ RoleArn: ROLE, RoleSessionName: 'gw-laptop', ExternalId: 'ext-42' });
    expectTemporaryInvokes(seen, 2, REGION);
  });

  it.each([
    // SSO itself works (sso-profile.test.ts); an sso_session without its [sso-session] section is named.
    // The AWS SDK fails on the missing [sso-session corp] section with a TypeError; gw names the profile.
    ['sso', "could not get AWS credentials (AWS profile 'sso': Cannot read properties of undefined (reading 'sso_region'))"],
    ['nowhere', "could not get AWS credentials (AWS profile 'nowhere' (AWS_PROFILE) is in neither"],
  ])('profile %s: starts, then answers an Anthropic 500 naming the problem, without calling AWS', async (profile, message) => {
    const { message: said, seen } = await expectCredentialsError(await gatewayWith(profile), emulator, [AWS_KEYS.secretAccessKey]);
    expect(said).toContain(message);
    expect(seen).toEqual([]);
  });
});
