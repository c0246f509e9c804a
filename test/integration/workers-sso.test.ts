/**
 * AWS credentials with `gw start --workers 2`: an SSO session whose token is within five minutes of
 * expiry, its refresh token rotating (the emulator's SSO-OIDC refuses a refresh token once used, as IAM
 * Identity Center does). Each worker refreshing on its own would call CreateToken twice, the second time
 * with a refresh token already spent, and write the cache file twice; the cluster's primary fetches for
 * both, so the token is refreshed once, the role credentials asked once, and both workers sign with them.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBedrockEmulator, type Emulator } from '@gw/bedrock-emulator';
import { spawnGw, type GwProcess } from '../../packages/cli/test/support/gw-process.js';
import { AWS_KEYS, askMessages, keylessBedrockConfig } from './support/bedrock.js';
import { tempDir } from './support/gateway.js';
import { awsHome, profileEnv } from './support/profiles.js';

const REGION = 'eu-west-1';
const START_URL = 'https://gw-workers.awsapps.com/start';
const EXPIRING = 'aoaAAAAAGgwWorkersExpiringSsoToken00071';
const REFRESH = 'aorAAAAAGgwWorkersRefreshToken000000123';
const CLIENT = { clientId: 'gw-workers-client', clientSecret: 'gwWorkersOidcClientSecret.value4711' };

let emulator: Emulator;
let gw: GwProcess;
let cacheFile: string;
let proxy: string;
let status: string;

beforeAll(async () => {
  emulator = await startBedrockEmulator({ credentials: [AWS_KEYS], region: REGION, ssoAccessTokens: [], ssoOidcClients: [{ ...CLIENT, refreshToken: REFRESH }] });
  const url = `http://127.0.0.1:${emulator.port}`;
  const home = tempDir('gw-workers-sso-');
  const cache = join(home, '.aws', 'sso', 'cache');
  mkdirSync(cache, { recursive: true });
  writeFileSync(
    join(home, '.aws', 'config'),
    `[profile dev]\nsso_session = corp\nsso_account_id = 123456789012\nsso_role_name = Developer\nregion = ${REGION}\n\n` +
      `[sso-session corp]\nsso_start_url = ${START_URL}\nsso_region = eu-central-1\nsso_registration_scopes = sso:account:access\n`,
  );
  // What `aws sso login` left two minutes before the token expires.
  cacheFile = join(cache, `${createHash('sha1').update('corp').digest('hex')}.json`);
  writeFileSync(
    cacheFile,
    JSON.stringify({ startUrl: START_URL, region: 'eu-central-1', accessToken: EXPIRING, expiresAt: new Date(Date.now() + 120_000).toISOString(), ...CLIENT, refreshToken: REFRESH, registrationExpiresAt: new Date(Date.now() + 86400_000).toISOString() }),
    { mode: 0o600 },
  );
  const dir = tempDir('gw-workers-sso-config-');
  writeFileSync(join(dir, 'kong.yaml'), keylessBedrockConfig('dev', {}));
  const env = profileEnv(url, { ...awsHome(home), AWS_ENDPOINT_URL_SSO: url, AWS_ENDPOINT_URL_SSO_OIDC: url, AWS_PROFILE: 'dev' });
  gw = spawnGw(['start', '-s', 'kong.yaml', '--port', '0', '--workers', '2', '--status-listen', '127.0.0.1:0'], { env, cwd: dir });
  proxy = (await gw.waitFor(/gw listening on (http:\/\/127\.0\.0\.1:\d+)/))[1];
  status = (await gw.waitFor(/gw status on (http:\/\/127\.0\.0\.1:\d+)\/status/))[1];
}, 60_000);

afterAll(async () => {
  if (gw) expect(await gw.stop()).toBe(0);
  await emulator?.close();
});

describe('AWS credentials with two workers', () => {
  it('the SSO token is refreshed once and the role credentials asked once, for requests served by both workers', async () => {
    const answers = await Promise.all(Array.from({ length: 8 }, () => askMessages(proxy, 'dev')));
    expect(answers.map((a) => a.status)).toEqual(Array.from({ length: 8 }, () => 200));
    const workers = ((await (await fetch(`${status}/status`)).json()) as { workers: { server: { total_requests: number } }[] }).workers;
    expect(workers.map((w) => w.server.total_requests > 0)).toEqual([true, true]);

    const seen = emulator.received;
    expect(seen.filter((r) => r.operation === 'create-token').map((r) => [r.signatureValid, r.json])).toEqual([[true, { ...CLIENT, refreshToken: REFRESH, grantType: 'refresh_token' }]]);
    const fresh = JSON.parse(readFileSync(cacheFile, 'utf8')) as { accessToken: string; refreshToken: string };
    expect(fresh.accessToken).not.toBe(EXPIRING);
    expect(fresh.refreshToken).not.toBe(REFRESH);
    expect(seen.filter((r) => r.operation === 'get-role-credentials').map((r) => r.headers['x-amz-sso_bearer_token'])).toEqual([fresh.accessToken]);
    expect(seen.filter((r) => r.operation === 'invoke').map((r) => r.signatureValid)).toEqual(Array.from({ length: 8 }, () => true));
    // Nothing of the token exchange reached the log.
    for (const secret of [EXPIRING, REFRESH, CLIENT.clientSecret, fresh.accessToken, fresh.refreshToken]) expect(gw.output()).not.toContain(secret);
  });
});
