/**
 * SSO (IAM Identity Center) profiles end to end, as a developer runs gw after `aws sso login`: HOME is a
 * temp folder holding the config file and the token cache (~/.aws/sso/cache/<sha1>.json); AWS_PROFILE
 * picks the profile, AWS_ENDPOINT_URL_SSO points the portal at the emulator. gw trades the cached token
 * for role credentials once and signs Bedrock calls with them (the emulator accepts only what its portal
 * issued); a role in the gw config is assumed on top; an expired or rejected token is an Anthropic-format
 * 500 that tells the developer to run `aws sso login`, never quoting the token.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startBedrockEmulator, type Emulator } from '@gw/bedrock-emulator';
import { setEnv, startGateway, tempDir, type RunningGateway } from './support/gateway.js';
import { AWS_KEYS, askMessages, keylessBedrockConfig } from './support/bedrock.js';

const REGION = 'eu-west-1';
const TOKEN = 'aoaAAAAAGgwIntegrationSsoAccessToken0042';
const REVOKED = 'aoaAAAAAGgwIntegrationRevokedSsoToken77';
const START_URL = 'https://gw-test.awsapps.com/start';


const profile = (name: string, session: string, role = 'Developer') =>
  `[profile ${name}]\nsso_session = ${session}\nsso_account_id = 123456789012\nsso_role_name = ${role}\nregion = ${REGION}\n\n` +
  `[sso-session ${session}]\nsso_start_url = ${START_URL}\nsso_region = eu-central-1\nsso_registration_scopes = sso:account:access\n\n`;

describe('ai-proxy with AWS SSO profiles (real gateway, emulated SSO portal, STS and Bedrock)', () => {
  let emulator: Emulator;
  let restoreEnv: () => void;
  let gw: RunningGateway | undefined;
  let restoreProfile: (() => void) | undefined;

  beforeAll(async () => {
    emulator = await startBedrockEmulator({ credentials: [AWS_KEYS], region: REGION, ssoAccessTokens: [TOKEN] });
    const url = `http://127.0.0.1:${emulator.port}`;
    const home = tempDir('gw-sso-home-');
    const cache = join(home, '.aws', 'sso', 'cache');
    mkdirSync(cache, { recursive: true });
    const config = join(home, '.aws', 'config');
    writeFileSync(
      config,
      profile('dev', 'corp') + profile('stale', 'old') + profile('revoked', 'gone') +
        `[profile legacy]\nsso_start_url = ${START_URL}\nsso_region = eu-central-1\nsso_account_id = 123456789012\nsso_role_name = Developer\nregion = ${REGION}\n`,
    );
    // What `aws sso login` leaves: one file per session name (or start URL, legacy), named by its sha1.
    const token = (id: string, accessToken: string, expiresAt: number) =>
      writeFileSync(join(cache, `${createHash('sha1').update(id).digest('hex')}.json`), JSON.stringify({ startUrl: START_URL, region: 'eu-central-1', accessToken, expiresAt: new Date(expiresAt).toISOString() }));
    token('corp', TOKEN, Date.now() + 3600_000);
    token(START_URL, TOKEN, Date.now() + 3600_000);
    token('old', TOKEN, Date.now() - 60_000);
    token('gone', REVOKED, Date.now() + 3600_000);
    restoreEnv = setEnv({
      HOME: home,
      AWS_CONFIG_FILE: config,
      AWS_SHARED_CREDENTIALS_FILE: join(home, '.aws', 'credentials'),
      AWS_ENDPOINT_URL_SSO: url,
      AWS_ENDPOINT_URL_STS: url,
      AWS_ENDPOINT_URL_BEDROCK_RUNTIME: url,
      AWS_REGION: '',
      AWS_DEFAULT_REGION: '',
      AWS_ACCESS_KEY_ID: 'AKIAENVIRONMENTKEYS0',
      AWS_SECRET_ACCESS_KEY: 'environmentSecretThatIsNotTheProfiles',
    });
  });
  afterEach(async () => {
    await gw?.close();
    gw = undefined;
    restoreProfile?.();
    restoreProfile = undefined;
  });
  afterAll(async () => {
    restoreEnv?.();
    await emulator?.close();
  });

  async function gatewayWith(name: string, roleArn?: string): Promise<RunningGateway> {
    restoreProfile = setEnv({ AWS_PROFILE: name });
    gw = await startGateway(keylessBedrockConfig('dev', roleArn === undefined ? {} : { aws_assume_role_arn: roleArn }));
    return gw;
  }

  it.each(['dev', 'legacy'])("profile %s: one GetRoleCredentials with the cached token, Bedrock signed with the role's credentials", async (name) => {
    const gateway = await gatewayWith(name);
    const before = emulator.received.length;
    expect((await Promise.all([askMessages(gateway.url, 'dev'), askMessages(gateway.url, 'dev')])).map((a) => a.status)).toEqual([200, 200]);
    const seen = emulator.received.slice(before);
    const portal = seen.filter((r) => r.operation === 'get-role-credentials');
    expect(portal).toHaveLength(1);
    expect(portal[0]!.method).toBe('GET');
    expect(portal[0]!.headers['x-amz-sso_bearer_token']).toBe(TOKEN);
    expect(portal[0]!.signatureValid).toBe(true);
    const invokes = seen.filter((r) => r.operation === 'invoke');
    expect(invokes).toHaveLength(2);
    for (const invoke of invokes) {
      expect(invoke.signatureValid).toBe(true);
      expect(invoke.headers.authorization).toMatch(new RegExp(`Credential=ASIA[0-9A-F]+/\\d{8}/${REGION}/bedrock/`));
      expect(invoke.headers['x-amz-security-token']).toBeTruthy();
    }
  });

  it('assumes aws_assume_role_arn on top, signing STS with the SSO role credentials', async () => {
    const gateway = await gatewayWith('dev', 'arn:aws:iam::123456789012:role/gw-on-top');
    const before = emulator.received.length;
    expect((await askMessages(gateway.url, 'dev')).status).toBe(200);
    const seen = emulator.received.slice(before);
    const sts = seen.filter((r) => r.operation === 'assume-role');
    expect(sts).toHaveLength(1);
    expect(sts[0]!.signatureValid).toBe(true);
    expect(sts[0]!.headers.authorization).toMatch(/Credential=ASIA[0-9A-F]+\//);
    expect(seen.filter((r) => r.operation === 'invoke').map((r) => r.signatureValid)).toEqual([true]);
  });

  it.each([
    ['stale', "SSO token for AWS profile 'stale' expired at", 'run aws sso login --profile stale', 0],
    ['revoked', 'SSO session rejected (HTTP 401)', 'run aws sso login --profile revoked', 1],
  ])('profile %s: an Anthropic 500 telling the developer to log in, without quoting the token', async (name, problem, hint, portalCalls) => {
    const gateway = await gatewayWith(name);
    const before = emulator.received.length;
    const answer = await askMessages(gateway.url, 'dev');
    expect(answer.status).toBe(500);
    const text = await answer.text();
    const body = JSON.parse(text) as { type: string; error: { type: string; message: string } };
    expect(body).toMatchObject({ type: 'error', error: { type: 'api_error' } });
    expect(body.error.message).toContain(`could not get AWS credentials (${problem}`);
    expect(body.error.message).toContain(hint);
    for (const secret of [TOKEN, REVOKED]) {
      expect(text).not.toContain(secret);
      expect(gateway.messages.join('\n')).not.toContain(secret);
    }
    const seen = emulator.received.slice(before);
    expect(seen.filter((r) => r.operation === 'get-role-credentials')).toHaveLength(portalCalls);
    expect(seen.filter((r) => r.operation === 'invoke')).toEqual([]);
  });
});
