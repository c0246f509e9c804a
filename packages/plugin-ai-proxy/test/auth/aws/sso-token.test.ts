/**
 * The SSO access token's refresh through SSO-OIDC CreateToken (a loopback server here), as the AWS SDK for
 * JavaScript v3 `fromSso` does it: only the sso-session form, only within five minutes of expiry and with
 * the refresh fields in the cache file; the new token written back to the same file (0600, other fields
 * kept); one refresh for concurrent callers; none within 30 s of a failed one; the old token while it is
 * still valid; and messages that never quote the tokens or the client secret.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SsoProfile } from '../../../src/auth/aws/sso-credentials.js';
import { EXPIRE_WINDOW_MS, ssoAccessToken, ssoOidcEndpoint } from '../../../src/auth/aws/sso-token.js';
import { failure } from '../../support/errors.js';

const OLD = 'aoaAAAAAGoldSsoAccessTokenSecret000001';
const NEW = 'aoaAAAAAGnewSsoAccessTokenSecret000002';
const REFRESH = 'aorAAAAAGrefreshTokenSecret00000003';
const NEXT_REFRESH = 'aorAAAAAGrotatedRefreshSecret000004';
const CLIENT_SECRET = 'eyJraWQiOiJrZXktY2xpZW50U2VjcmV0In0.clientSecretValue';
const START = Date.parse('2026-01-01T12:00:00.000Z');
const SECRETS = [OLD, NEW, REFRESH, NEXT_REFRESH, CLIENT_SECRET];

type Answer = { status: number; json: unknown };
const seen: { method: string; url: string; contentType?: string; body: unknown }[] = [];
let answer: Answer = { status: 200, json: {} };
let hold: Promise<void> | undefined;
let server: http.Server;
let env: NodeJS.ProcessEnv;
const dir = mkdtempSync(join(tmpdir(), 'gw-sso-token-'));
let count = 0;
const messages: string[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', async () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', contentType: req.headers['content-type'], body: JSON.parse(body) });
      await hold;
      res.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer.json));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  env = { AWS_ENDPOINT_URL_SSO_OIDC: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  answer = { status: 200, json: { accessToken: NEW, tokenType: 'Bearer', expiresIn: 3600, refreshToken: NEXT_REFRESH } };
  hold = undefined;
});

/** A cache file (its own, so its own refresh state) whose token expires `left` ms after START. */
function cached(left: number, extra: Record<string, unknown> = {}, session: string | null = 'corp'): SsoProfile {
  const tokenFile = join(dir, `${++count}.json`);
  const token = {
    startUrl: 'https://corp.awsapps.com/start', region: 'eu-central-1', accessToken: OLD, expiresAt: new Date(START + left).toISOString(),
    clientId: 'gw-test-client-id', clientSecret: CLIENT_SECRET, registrationExpiresAt: new Date(START + 90 * 86400_000).toISOString(), refreshToken: REFRESH,
    ...extra,
  };
  writeFileSync(tokenFile, JSON.stringify(token), { mode: 0o644 });
  const sso: SsoProfile = { profile: 'p', startUrl: token.startUrl, region: 'eu-central-1', accountId: '123456789012', roleName: 'Dev', tokenFile };
  if (session !== null) sso.session = session;
  return sso;
}

const at = (time: number) => () => time;

async function refusal(promise: Promise<unknown>): Promise<string> {
  const error = await failure(promise);
  expect(error.code).toBe('GW_ERR_AI_CREDENTIALS_FAILED');
  expect(error.message).toContain('run aws sso login --profile p');
  messages.push(error.message, String(error.stack));
  return error.message;
}

describe('SSO token refresh (SSO-OIDC CreateToken)', () => {
  it('a token with more than five minutes left is used as it is', async () => {
    const before = seen.length;
    expect(await ssoAccessToken(cached(EXPIRE_WINDOW_MS + 1000), env, at(START))).toBe(OLD);
    expect(seen.length).toBe(before);
  });

  it.each([
    ['within five minutes of expiry', 4 * 60_000],
    ['expired', -60_000],
  ])('%s: CreateToken with the refresh token, the new token written back to the same file (0600)', async (_, left) => {
    const sso = cached(left, { note: 'kept' });
    const before = seen.length;
    expect(await ssoAccessToken(sso, env, at(START))).toBe(NEW);
    expect(seen.slice(before)).toEqual([{
      method: 'POST', url: '/token', contentType: 'application/json',
      body: { clientId: 'gw-test-client-id', clientSecret: CLIENT_SECRET, refreshToken: REFRESH, grantType: 'refresh_token' },
    }]);
    expect(JSON.parse(readFileSync(sso.tokenFile, 'utf8'))).toEqual({
      startUrl: 'https://corp.awsapps.com/start', region: 'eu-central-1', note: 'kept', accessToken: NEW, expiresAt: new Date(START + 3600_000).toISOString(),
      clientId: 'gw-test-client-id', clientSecret: CLIENT_SECRET, registrationExpiresAt: new Date(START + 90 * 86400_000).toISOString(), refreshToken: NEXT_REFRESH,
    });
    expect(statSync(sso.tokenFile).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir).filter((name) => name.endsWith('.tmp'))).toEqual([]);
    // The file now holds a fresh token: no second refresh.
    expect(await ssoAccessToken(sso, env, at(START + 1000))).toBe(NEW);
    expect(seen.length).toBe(before + 1);
  });

  it('a reply without a refresh token drops the old one from the file, as the SDK does', async () => {
    answer = { status: 200, json: { accessToken: NEW, expiresIn: 600 } };
    const sso = cached(-1);
    expect(await ssoAccessToken(sso, env, at(START))).toBe(NEW);
    const file = JSON.parse(readFileSync(sso.tokenFile, 'utf8')) as Record<string, unknown>;
    expect(file).toMatchObject({ accessToken: NEW, expiresAt: new Date(START + 600_000).toISOString() });
    expect(file).not.toHaveProperty('refreshToken');
  });

  it('concurrent callers share one refresh', async () => {
    const sso = cached(60_000);
    let release!: () => void;
    hold = new Promise<void>((resolve) => (release = resolve));
    const before = seen.length;
    const all = Promise.all(Array.from({ length: 5 }, () => ssoAccessToken(sso, env, at(START))));
    while (seen.length === before) await new Promise((resolve) => setImmediate(resolve));
    release();
    expect(await all).toEqual([NEW, NEW, NEW, NEW, NEW]);
    expect(seen.length).toBe(before + 1);
  });

  it('a rejected refresh of an expired token fails naming the status; none again within 30 s, then one', async () => {
    answer = { status: 400, json: { error: 'invalid_grant', error_description: `refresh token ${REFRESH} is invalid` } };
    const sso = cached(-60_000);
    const before = seen.length;
    const message = await refusal(ssoAccessToken(sso, env, at(START)));
    expect(message).toContain("SSO token for AWS profile 'p' expired at 2026-01-01T11:59:00.000Z and its refresh failed: SSO-OIDC CreateToken answered HTTP 400 invalid_grant: run aws sso login --profile p");
    expect(await refusal(ssoAccessToken(sso, env, at(START + 10_000)))).toContain('its last refresh failed less than 30 s ago');
    expect(seen.length).toBe(before + 1);
    answer = { status: 200, json: { accessToken: NEW, expiresIn: 3600, refreshToken: NEXT_REFRESH } };
    expect(await ssoAccessToken(sso, env, at(START + 31_000))).toBe(NEW);
    expect(seen.length).toBe(before + 2);
  });

  it.each([
    ['HTTP 500 with a body that is not an error code', { status: 500, json: { error: `Bad ${CLIENT_SECRET}` } }, 'its refresh failed: SSO-OIDC CreateToken answered HTTP 500: run'],
    ['an unreadable reply', { status: 200, json: { accessToken: NEW } }, 'unreadable SSO-OIDC CreateToken response'],
  ])('%s: the old token while it is valid, else an error that quotes nothing', async (_, reply, detail) => {
    answer = reply;
    expect(await ssoAccessToken(cached(60_000), env, at(START))).toBe(OLD);
    answer = reply;
    expect(await refusal(ssoAccessToken(cached(-1), env, at(START)))).toContain(detail);
  });

  it('an unreachable SSO-OIDC endpoint fails by cause', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const message = await refusal(ssoAccessToken(cached(-1), { AWS_ENDPOINT_URL_SSO_OIDC: `http://127.0.0.1:${port}` }, at(START)));
    expect(message).toContain('its refresh failed: SSO-OIDC unreachable (ECONNREFUSED)');
  });

  it.each([
    ['a legacy profile', {}, null, 'legacy profiles (sso_start_url without sso_session) are not refreshed'],
    ['no refresh token', { refreshToken: undefined }, 'corp', 'the cache file has no refreshToken to refresh it with'],
    ['no client secret', { clientSecret: undefined }, 'corp', 'the cache file has no clientSecret to refresh it with'],
    ['no registration expiry', { registrationExpiresAt: undefined }, 'corp', 'the cache file has no registrationExpiresAt to refresh it with'],
    ['an expired registration', { registrationExpiresAt: new Date(START - 1).toISOString() }, 'corp', 'its client registration has expired'],
  ])('%s: no refresh; the old token while valid, else log in again', async (_, extra, session, why) => {
    const before = seen.length;
    expect(await ssoAccessToken(cached(60_000, extra, session), env, at(START))).toBe(OLD);
    expect(await refusal(ssoAccessToken(cached(-1, extra, session), env, at(START)))).toContain(`expired at 2026-01-01T11:59:59.999Z and ${why}: run aws sso login --profile p`);
    expect(seen.length).toBe(before);
  });

  it('SSO-OIDC: AWS_ENDPOINT_URL_SSO_OIDC, else AWS_ENDPOINT_URL, else oidc.<sso_region>', () => {
    expect(ssoOidcEndpoint({ AWS_ENDPOINT_URL_SSO_OIDC: 'http://127.0.0.1:9/p', AWS_ENDPOINT_URL: 'http://127.0.0.1:8' }, 'r').href).toBe('http://127.0.0.1:9/p/token');
    expect(ssoOidcEndpoint({ AWS_ENDPOINT_URL_SSO: 'http://127.0.0.1:7', AWS_ENDPOINT_URL: 'http://127.0.0.1:8' }, 'r').href).toBe('http://127.0.0.1:8/token');
    expect(ssoOidcEndpoint({}, 'eu-central-1').href).toBe('https://oidc.eu-central-1.amazonaws.com/token');
  });

  it('no message or stack quotes a token or the client secret', () => {
    expect(messages.length).toBeGreaterThanOrEqual(16);
    for (const message of messages) for (const secret of SECRETS) expect(message).not.toContain(secret);
  });
});
