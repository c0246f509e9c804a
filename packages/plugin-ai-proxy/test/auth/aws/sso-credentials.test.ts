/**
 * SSO (IAM Identity Center) profiles: which settings make one and what is missing, the token cache file
 * `aws sso login` writes (sha1 of the session name, or of the start URL), the portal's GetRoleCredentials
 * (a loopback server here), one fetch for concurrent requests, and messages that tell the developer to
 * log in again without ever quoting the token or the keys. HOME is always a temp folder.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSharedProfile } from '../../../src/auth/aws/shared-files.js';
import { credentialsFor } from '../../../src/auth/aws/credentials.js';
import { ssoCredentials, ssoEndpoint, ssoTokenFile, type SsoProfile } from '../../../src/auth/aws/sso-credentials.js';
import { aiProxyConfig } from '../../support/config.js';
import { failure } from '../../support/errors.js';

const TOKEN = 'aoaAAAAAGsecretSsoAccessToken0123456789';
const ROLE_KEYS = { accessKeyId: 'ASIASSOROLE0000001', secretAccessKey: 'ssoRoleSecret/abc+123', sessionToken: 'ssoRoleSessionToken==' };
const START_URL = 'https://my-sso-portal.awsapps.com/start';
// sha1 hex digests computed independently (`printf %s corp | sha1sum`).
const SHA1_CORP = 'ee0bfd2552fbd840c02cc48b6e823320543c450f';
const SHA1_START_URL = 'c7aaaf71fcc8777ae2475525ed049d39fe16c484';

const root = mkdtempSync(join(tmpdir(), 'gw-sso-'));
let count = 0;

/** A fresh HOME with this config file (and token file for `cacheId`, if given). */
function home(config: string, token?: { id: string; accessToken?: string; expiresAt: string }): NodeJS.ProcessEnv {
  const dir = join(root, String(++count));
  mkdirSync(join(dir, '.aws', 'sso', 'cache'), { recursive: true });
  writeFileSync(join(dir, '.aws', 'config'), config);
  const env: NodeJS.ProcessEnv = { HOME: dir, AWS_CONFIG_FILE: join(dir, '.aws', 'config'), AWS_SHARED_CREDENTIALS_FILE: join(dir, '.aws', 'credentials'), AWS_PROFILE: 'p' };
  if (token) writeFileSync(ssoTokenFile(env, token.id), JSON.stringify({ startUrl: START_URL, region: 'eu-central-1', accessToken: token.accessToken ?? TOKEN, expiresAt: token.expiresAt }));
  return env;
}

const sessionConfig = `[profile p]\nsso_session = corp\nsso_account_id = 123456789012\nsso_role_name = Dev\nregion = eu-west-1\n[sso-session corp]\nsso_start_url = ${START_URL}\nsso_region = eu-central-1\nsso_registration_scopes = sso:account:access\n`;
const legacyConfig = `[profile p]\nsso_start_url = ${START_URL}\nsso_region = eu-central-1\nsso_account_id = 123456789012\nsso_role_name = Dev\n`;
const later = new Date(Date.now() + 3600_000).toISOString();

async function settingsOf(env: NodeJS.ProcessEnv) {
  const credentials = (await loadSharedProfile(env))?.credentials;
  if (credentials?.kind === 'failed') return credentials.detail;
  if (credentials?.kind !== 'sso') throw new Error(`not an SSO profile: ${credentials?.kind}`);
  return credentials.sso;
}


describe('SSO profiles in the config file', () => {
  it('sso_session: start URL and region from [sso-session], token file named by sha1 of the session name', async () => {
    const env = home(sessionConfig);
    expect(await settingsOf(env)).toEqual({
      profile: 'p', startUrl: START_URL, region: 'eu-central-1', accountId: '123456789012', roleName: 'Dev', session: 'corp',
      tokenFile: join(env.HOME!, '.aws', 'sso', 'cache', `${SHA1_CORP}.json`),
    });
  });

  it('legacy: start URL and region in the profile, token file named by sha1 of the start URL', async () => {
    const env = home(legacyConfig);
    expect(await settingsOf(env)).toMatchObject({ startUrl: START_URL, region: 'eu-central-1', tokenFile: join(env.HOME!, '.aws', 'sso', 'cache', `${SHA1_START_URL}.json`) });
  });

  it.each([
    ['[profile p]\nsso_session = corp\nsso_account_id = 1\nsso_role_name = R\n', "AWS profile 'p' names sso_session 'corp', which has no [sso-session corp] section"],
    ['[profile p]\nsso_session = corp\nsso_account_id = 1\nsso_role_name = R\n[sso-session corp]\nsso_region = eu-west-1\n', "sso-session 'corp' of AWS profile 'p' has no sso_start_url"],
    ['[profile p]\nsso_session = corp\nsso_account_id = 1\nsso_role_name = R\n[sso-session corp]\nsso_start_url = https://x\n', "sso-session 'corp' of AWS profile 'p' has no sso_region"],
    ['[profile p]\nsso_session = corp\nsso_role_name = R\n[sso-session corp]\nsso_start_url = https://x\nsso_region = r\n', "AWS profile 'p' has no sso_account_id"],
    ['[profile p]\nsso_session = corp\nsso_account_id = 1\n[sso-session corp]\nsso_start_url = https://x\nsso_region = r\n', "AWS profile 'p' has no sso_role_name"],
    ['[profile p]\nsso_start_url = https://x\nsso_account_id = 1\nsso_role_name = R\n', "AWS profile 'p' has no sso_region"],
    ['[profile p]\nsso_region = r\nsso_account_id = 1\nsso_role_name = R\n', "AWS profile 'p' has no sso_start_url"],
    ['[profile p]\nsso_session = corp\nsso_region = a\nsso_account_id = 1\nsso_role_name = R\n[sso-session corp]\nsso_start_url = https://x\nsso_region = b\n', "conflicting sso_region in AWS profile 'p' and sso-session 'corp'"],
  ])('names what is missing or conflicting: %#', async (config, detail) => {
    const env = home(config);
    expect(await settingsOf(env)).toContain(detail);
    const error = await failure(credentialsFor(aiProxyConfig({ model: { provider: 'bedrock', name: 'm' } }), env, 'eu-west-1', await loadSharedProfile(env)));
    expect(error.code).toBe('GW_ERR_AI_CREDENTIALS_FAILED');
    expect(error.message).toContain(detail);
  });

  it('keys in the profile still win over its sso_* settings', async () => {
    const env = home(`${legacyConfig}aws_access_key_id = AKIAKEYS\naws_secret_access_key = keysecret\n`);
    expect((await loadSharedProfile(env))?.credentials.kind).toBe('keys');
  });
});

describe('GetRoleCredentials at the SSO portal', () => {
  const seen: { url: string; bearer?: string }[] = [];
  let status = 200;
  let server: http.Server;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      seen.push({ url: req.url ?? '', bearer: req.headers['x-amz-sso_bearer_token'] as string | undefined });
      const body = status === 200 ? JSON.stringify({ roleCredentials: { ...ROLE_KEYS, expiration: Date.now() + 3600_000 } }) : JSON.stringify({ message: 'Session token not found or invalid' });
      res.writeHead(status, { 'content-type': 'application/json' }).end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    env = { AWS_ENDPOINT_URL_SSO: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    rmSync(root, { recursive: true, force: true });
  });

  /** An SSO profile with its own HOME (so its own credentials cache entry) and a token expiring at `expiresAt`. */
  async function profile(expiresAt = later, withToken = true): Promise<{ sso: SsoProfile; env: NodeJS.ProcessEnv }> {
    const files = home(sessionConfig, withToken ? { id: 'corp', expiresAt } : undefined);
    return { sso: (await settingsOf(files)) as SsoProfile, env: { ...files, ...env } };
  }

  it('asks the portal with the cached token once, for concurrent and later requests alike', async () => {
    status = 200;
    const { sso, env: all } = await profile();
    const before = seen.length;
    const got = await Promise.all([ssoCredentials(sso, all), ssoCredentials(sso, all)]);
    expect(await ssoCredentials(sso, all)).toEqual(got[0]);
    expect(got[0]).toMatchObject(ROLE_KEYS);
    expect(seen.slice(before)).toEqual([{ url: '/federation/credentials?role_name=Dev&account_id=123456789012', bearer: TOKEN }]);
  });

  it('the portal: AWS_ENDPOINT_URL_SSO, else AWS_ENDPOINT_URL, else portal.sso.<sso_region>', () => {
    expect(ssoEndpoint({ AWS_ENDPOINT_URL_SSO: 'http://127.0.0.1:9/p', AWS_ENDPOINT_URL: 'http://127.0.0.1:8' }, 'r').href).toBe('http://127.0.0.1:9/p/federation/credentials');
    expect(ssoEndpoint({ AWS_ENDPOINT_URL: 'http://127.0.0.1:8' }, 'r').href).toBe('http://127.0.0.1:8/federation/credentials');
    expect(ssoEndpoint({}, 'eu-central-1').href).toBe('https://portal.sso.eu-central-1.amazonaws.com/federation/credentials');
  });

  const messages: string[] = [];
  it.each([
    ['no token file', () => profile(later, false), /no SSO token for AWS profile 'p' \(.*ee0bfd2552fbd840c02cc48b6e823320543c450f\.json: ENOENT\): run aws sso login --profile p/],
    ['an expired token', () => profile(new Date(Date.now() - 1000).toISOString()), /SSO token for AWS profile 'p' expired at .*: run aws sso login --profile p/],
  ])('%s: fails naming aws sso login, without asking the portal', async (_, make, message) => {
    status = 200;
    const { sso, env: all } = await make();
    const before = seen.length;
    const error = await failure(ssoCredentials(sso, all));
    expect(error.code).toBe('GW_ERR_AI_CREDENTIALS_FAILED');
    expect(error.message).toMatch(message);
    expect(seen.slice(before)).toEqual([]);
    messages.push(error.message);
  });

  it.each([401, 403])('HTTP %s: the SSO session was rejected; the next request asks again', async (code) => {
    status = code;
    const { sso, env: all } = await profile();
    const error = await failure(ssoCredentials(sso, all));
    expect(error.code).toBe('GW_ERR_AI_CREDENTIALS_FAILED');
    expect(error.message).toContain(`SSO session rejected (HTTP ${code}): run aws sso login --profile p`);
    messages.push(error.message);
    status = 200;
    expect(await ssoCredentials(sso, all)).toMatchObject(ROLE_KEYS);
  });

  it('an unreadable token file or portal answer fails without quoting either', async () => {
    const files = home(sessionConfig, { id: 'corp', accessToken: '', expiresAt: later });
    const sso = (await settingsOf(files)) as SsoProfile;
    messages.push((await failure(ssoCredentials(sso, { ...files, ...env }))).message);
    expect(messages.at(-1)).toContain('unreadable SSO token cache file');
    status = 500;
    const other = await profile();
    messages.push((await failure(ssoCredentials(other.sso, other.env))).message);
    expect(messages.at(-1)).toContain('SSO portal answered HTTP 500');
  });

  it('no message quotes the token or the role credentials', () => {
    expect(messages.length).toBeGreaterThanOrEqual(5);
    for (const message of messages) {
      for (const secret of [TOKEN, ROLE_KEYS.secretAccessKey, ROLE_KEYS.sessionToken, ROLE_KEYS.accessKeyId]) expect(message).not.toContain(secret);
    }
  });
});
