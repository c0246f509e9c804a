/**
 * SSO (IAM Identity Center) profiles end to end, as a developer runs gw after `aws sso login`: HOME is a
 * temp folder holding the config file and the token cache (~/.aws/sso/cache/<sha1>.json); AWS_PROFILE
 * picks the profile, AWS_ENDPOINT_URL_SSO points the portal at the emulator. gw trades the cached token
 * for role credentials once and signs Bedrock calls with them (the emulator accepts only what its portal
 * issued); a role in the gw config is assumed on top; an expired or rejected token is an Anthropic-format
 * 500 that tells the developer to run `aws sso login`, never quoting the token. A token near or past its
 * expiry in an sso-session profile is refreshed at the emulator's SSO-OIDC CreateToken (AWS_ENDPOINT_URL_SSO_OIDC)
 * and written back to its cache file, as the AWS SDK for JavaScript v3 does; a legacy profile's never is.
 */
import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startBedrockEmulator, type Emulator } from '@gw/bedrock-emulator';
import { tempDir } from './support/gateway.js';
import { awsHome, expectCredentialsError, expectTemporaryInvokes, profileEnv, useProfileGateways } from './support/profiles.js';
import { AWS_KEYS, askMessages } from './support/bedrock.js';

const REGION = 'eu-west-1';
const TOKEN = 'aoaAAAAAGgwIntegrationSsoAccessToken0042';
const REVOKED = 'aoaAAAAAGgwIntegrationRevokedSsoToken77';
const START_URL = 'https://gw-test.awsapps.com/start';
let cache = '';
const OLD_START_URL = 'https://gw-old.awsapps.com/start';
const EXPIRED = 'aoaAAAAAGgwIntegrationExpiredSsoToken0099';
const REFRESH = 'aorAAAAAGgwIntegrationRefreshToken000123';
const REFRESH_SOON = 'aorAAAAAGgwIntegrationRefreshSoon000456';
const CLIENT_SECRET = 'gwIntegrationOidcClientSecret.value789';
const CLIENT = { clientId: 'gw-integration-client', clientSecret: CLIENT_SECRET };
/** What `aws sso login` adds for an sso-session profile: the client registration and a refresh token. */
const refreshable = (refreshToken: string) => ({ ...CLIENT, refreshToken, registrationExpiresAt: new Date(Date.now() + 86400_000).toISOString() });


const cacheFile = (id: string) => join(cache, `${createHash('sha1').update(id).digest('hex')}.json`);
const profile = (name: string, session: string, role = 'Developer') =>
  `[profile ${name}]\nsso_session = ${session}\nsso_account_id = 123456789012\nsso_role_name = ${role}\nregion = ${REGION}\n\n` +
  `[sso-session ${session}]\nsso_start_url = ${START_URL}\nsso_region = eu-central-1\nsso_registration_scopes = sso:account:access\n\n`;

describe('ai-proxy with AWS SSO profiles (real gateway, emulated SSO portal, STS and Bedrock)', () => {
  let emulator: Emulator;

  const { gatewayWith } = useProfileGateways(async () => {
    const ssoOidcClients = [{ ...CLIENT, refreshToken: REFRESH }, { ...CLIENT, clientId: 'gw-integration-soon', refreshToken: REFRESH_SOON }];
    emulator = await startBedrockEmulator({ credentials: [AWS_KEYS], region: REGION, ssoAccessTokens: [TOKEN], ssoOidcClients });
    const url = `http://127.0.0.1:${emulator.port}`;
    const home = tempDir('gw-sso-home-');
    cache = join(home, '.aws', 'sso', 'cache');
    mkdirSync(cache, { recursive: true });
    const config = join(home, '.aws', 'config');
    writeFileSync(
      config,
      profile('dev', 'corp') + profile('stale', 'old') + profile('revoked', 'gone') +
        profile('renew', 'renew') + profile('refused', 'refused') + profile('soon', 'soon') +
        `[profile legacy-stale]\nsso_start_url = ${OLD_START_URL}\nsso_region = eu-central-1\nsso_account_id = 123456789012\nsso_role_name = Developer\nregion = ${REGION}\n\n` +
        `[profile legacy]\nsso_start_url = ${START_URL}\nsso_region = eu-central-1\nsso_account_id = 123456789012\nsso_role_name = Developer\nregion = ${REGION}\n`,
    );
    // What `aws sso login` leaves: one file per session name (or start URL, legacy), named by its sha1.
    const token = (id: string, accessToken: string, expiresAt: number, extra: object = {}) =>
      writeFileSync(cacheFile(id), JSON.stringify({ startUrl: START_URL, region: 'eu-central-1', accessToken, expiresAt: new Date(expiresAt).toISOString(), ...extra }), { mode: 0o600 });
    token('corp', TOKEN, Date.now() + 3600_000);
    token(START_URL, TOKEN, Date.now() + 3600_000);
    token('old', TOKEN, Date.now() - 60_000);
    token('gone', REVOKED, Date.now() + 3600_000);
    token('renew', EXPIRED, Date.now() - 60_000, refreshable(REFRESH));
    token('refused', EXPIRED, Date.now() - 60_000, { ...refreshable('aorAAAAAGgwIntegrationRevokedRefresh0'), clientId: 'gw-integration-client' });
    token('soon', EXPIRED, Date.now() + 120_000, { ...refreshable(REFRESH_SOON), clientId: 'gw-integration-soon' });
    token(OLD_START_URL, EXPIRED, Date.now() - 60_000, refreshable(REFRESH));
    return {
      emulator,
      env: profileEnv(url, {
        ...awsHome(home),
        AWS_ENDPOINT_URL_SSO: url,
        AWS_ENDPOINT_URL_SSO_OIDC: url,
      }),
    };
  });

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
    expectTemporaryInvokes(seen, 2, REGION);
  });

  it('assumes aws_assume_role_arn on top, signing STS with the SSO role credentials', async () => {
    const gateway = await gatewayWith('dev', { aws_assume_role_arn: 'arn:aws:iam::123456789012:role/gw-on-top' });
    const before = emulator.received.length;
    expect((await askMessages(gateway.url, 'dev')).status).toBe(200);
    const seen = emulator.received.slice(before);
    const sts = seen.filter((r) => r.operation === 'assume-role');
    expect(sts).toHaveLength(1);
    expect(sts[0]!.signatureValid).toBe(true);
    expect(sts[0]!.headers.authorization).toMatch(/Credential=ASIA[0-9A-F]+\//);
    expect(seen.filter((r) => r.operation === 'invoke').map((r) => r.signatureValid)).toEqual([true]);
  });

  // The AWS SDK's words (fromSSO, @aws-sdk/token-providers), with the profile named by gw.
  it.each([
    ['stale', "AWS profile 'stale': Value not present for 'clientId' in SSO Token. Cannot refresh.", "run 'aws sso login'", 0],
    ['revoked', "AWS profile 'revoked': UnauthorizedException: Session token not found or invalid", '', 1],
  ])('profile %s: an Anthropic 500 saying what is wrong with the SSO session, without quoting the token', async (name, problem, hint, portalCalls) => {
    const { message, seen } = await expectCredentialsError(await gatewayWith(name), emulator, [TOKEN, REVOKED]);
    expect(message).toContain(`could not get AWS credentials (${problem}`);
    expect(message).toContain(hint);
    expect(seen.filter((r) => r.operation === 'get-role-credentials')).toHaveLength(portalCalls);
    expect(seen.filter((r) => r.operation === 'invoke')).toEqual([]);
  });

  it('an expired token is refreshed at SSO-OIDC, written back in place (still 0600, as aws sso login made it), and the request succeeds', async () => {
    const gateway = await gatewayWith('renew');
    const before = emulator.received.length;
    expect((await askMessages(gateway.url, 'dev')).status).toBe(200);
    const seen = emulator.received.slice(before);
    const refreshes = seen.filter((r) => r.operation === 'create-token');
    expect(refreshes.map((r) => [r.signatureValid, r.headers['content-type'], r.json])).toEqual([
      [true, 'application/json', { ...CLIENT, refreshToken: REFRESH, grantType: 'refresh_token' }],
    ]);
    const cached = JSON.parse(readFileSync(cacheFile('renew'), 'utf8')) as Record<string, string>;
    const portal = seen.filter((r) => r.operation === 'get-role-credentials');
    expect(portal.map((r) => [r.signatureValid, r.headers['x-amz-sso_bearer_token']])).toEqual([[true, cached.accessToken]]);
    expect(cached.accessToken).not.toBe(EXPIRED);
    expect(cached.refreshToken).toMatch(/^aor/);
    expect(cached.refreshToken).not.toBe(REFRESH);
    expect(Date.parse(cached.expiresAt!)).toBeGreaterThan(Date.now() + 30 * 60_000);
    expect(cached).toMatchObject({ startUrl: START_URL, region: 'eu-central-1', ...CLIENT });
    expect(statSync(cacheFile('renew')).mode & 0o777).toBe(0o600);
    expect(seen.filter((r) => r.operation === 'invoke').map((r) => r.signatureValid)).toEqual([true]);
  });

  it('a token within five minutes of expiry is refreshed once for five concurrent requests', async () => {
    const gateway = await gatewayWith('soon');
    const before = emulator.received.length;
    const answers = await Promise.all(Array.from({ length: 5 }, () => askMessages(gateway.url, 'dev')));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
    const seen = emulator.received.slice(before);
    expect(seen.filter((r) => r.operation === 'create-token').map((r) => r.signatureValid)).toEqual([true]);
    const fresh = (JSON.parse(readFileSync(cacheFile('soon'), 'utf8')) as { accessToken: string }).accessToken;
    expect(seen.filter((r) => r.operation === 'get-role-credentials').map((r) => r.headers['x-amz-sso_bearer_token'])).toEqual([fresh]);
    expect(seen.filter((r) => r.operation === 'invoke').map((r) => r.signatureValid)).toEqual([true, true, true, true, true]);
  });

  // The AWS SDK's words: a refused refresh leaves the expired token, which it then refuses; a legacy profile is never refreshed.
  it.each([
    ['refused', "AWS profile 'refused': Token is expired. To refresh this SSO session run 'aws sso login' with the corresponding profile.", 1],
    ['legacy-stale', "AWS profile 'legacy-stale': The SSO session associated with this profile has expired. To refresh this SSO session run aws sso login with the corresponding profile.", 0],
  ])('profile %s: no new token, an Anthropic 500 with the login hint and no secrets', async (name, problem, refreshes) => {
    const secrets = [EXPIRED, REFRESH, 'aorAAAAAGgwIntegrationRevokedRefresh0', CLIENT_SECRET];
    const { message, seen } = await expectCredentialsError(await gatewayWith(name), emulator, secrets);
    expect(message).toContain(`could not get AWS credentials (${problem}`);
    expect(seen.filter((r) => r.operation === 'create-token')).toHaveLength(refreshes);
    expect(seen.filter((r) => r.operation === 'get-role-credentials')).toEqual([]);
    expect(seen.filter((r) => r.operation === 'invoke')).toEqual([]);
  });
});
