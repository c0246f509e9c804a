/**
 * The AWS shared config and credentials files: the INI dialect, which profile is picked and how the two
 * files merge, what the profile contributes to the credential chain and the region, and that no value
 * from the files ever reaches an error. Every file here is a temp file named through the env.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseIni } from '../../../src/auth/aws/ini.js';
import { loadSharedProfile, sharedFilePaths, type SharedProfile } from '../../../src/auth/aws/shared-files.js';
import { credentialsFor } from '../../../src/auth/aws/credentials.js';
import { resolveRegion } from '../../../src/auth/aws/identity.js';
import { aiProxyPlugin } from '../../../src/plugin.js';
import type { AiState } from '../../../src/phases/state.js';
import type { AiProxyConfig } from '../../../src/config/types.js';
import { aiProxyConfig } from '../../support/config.js';
import { failure } from '../../support/errors.js';

const root = mkdtempSync(join(tmpdir(), 'gw-aws-files-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let count = 0;

/** A fresh folder with these files; the env names them (never the real ~/.aws). */
function files(content: { credentials?: string; config?: string }, env: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const dir = join(root, String(++count));
  mkdirSync(dir);
  if (content.credentials !== undefined) writeFileSync(join(dir, 'credentials'), content.credentials);
  if (content.config !== undefined) writeFileSync(join(dir, 'config'), content.config);
  return { AWS_SHARED_CREDENTIALS_FILE: join(dir, 'credentials'), AWS_CONFIG_FILE: join(dir, 'config'), AWS_EC2_METADATA_DISABLED: 'true', ...env };
}

const settings = (text: string, section: string) => Object.fromEntries(parseIni(text).get(section) ?? []);
const bedrock = (extra: { keys?: [string, string]; region?: string } = {}) =>
  aiProxyConfig({
    auth: extra.keys && { aws_access_key_id: extra.keys[0], aws_secret_access_key: extra.keys[1] },
    model: { provider: 'bedrock', name: 'm', options: extra.region ? { bedrock: { aws_region: extra.region } } : undefined },
  });

/** The variables and the profile they select, as the plugin's init reads them. */
async function envWithProfile(env: NodeJS.ProcessEnv): Promise<{ env: NodeJS.ProcessEnv; profile: SharedProfile | undefined }> {
  return { env, profile: await loadSharedProfile(env) };
}
const creds = (config: AiProxyConfig, aws: { env: NodeJS.ProcessEnv; profile?: SharedProfile }, region: string) => credentialsFor(config, aws.env, region, aws.profile);
const regionOf = (config: AiProxyConfig, aws: { env: NodeJS.ProcessEnv; profile?: SharedProfile }) => resolveRegion(config, aws.env, aws.profile);


describe('the INI dialect of the AWS files', () => {
  it('trims keys and values, keeps case, splits at the first =, and drops full-line and whitespace-led comments', () => {
    const text = '# top\nstray = before any section\n[dev]\n  aws_access_key_id   =   AKIA1  \n; note\nAWS_Region = x\nsecret = ab=c#d ;e # tail\nnokey\n= novalue\r\nlast = 1\r\n';
    expect(settings(text, 'dev')).toEqual({ aws_access_key_id: 'AKIA1', AWS_Region: 'x', secret: 'ab=c#d', last: '1' });
    expect(parseIni(text).has('stray')).toBe(false);
  });

  it('names prefixed sections, unquotes their names, and skips unknown prefixes whole', () => {
    const sections = parseIni('[profile dev]\na = 1\n[profile "q.x@y"]\nb = 2\n[sso-session s]\nc = 3\n[other thing]\nd = 4\n[default] # c\ne = 5\n');
    expect([...sections.keys()]).toEqual(['profile dev', 'profile q.x@y', 'sso-session s', 'default']);
  });

  it('keeps nested blocks out of the profile, and ends them at the next unindented key', () => {
    const text = '[default]\ns3 =\n  max_concurrent_requests = 10\n  aws_access_key_id = NESTED\nregion = eu-west-1\n  indented = yes\n';
    expect(settings(text, 'default')).toEqual({ region: 'eu-west-1', indented: 'yes' });
  });

  it('merges a repeated section, the later value winning', () => {
    expect(settings('[a]\nx = 1\ny = 1\n[b]\nz = 0\n[a]\ny = 2\n', 'a')).toEqual({ x: '1', y: '2' });
  });
});

describe('where the files are and which profile is read', () => {
  it('defaults to $HOME/.aws, honours the variables and a leading ~/', () => {
    expect(sharedFilePaths({ HOME: '/h' })).toEqual({ credentials: '/h/.aws/credentials', config: '/h/.aws/config' });
    expect(sharedFilePaths({ HOME: '/h', AWS_SHARED_CREDENTIALS_FILE: '~/c', AWS_CONFIG_FILE: '/etc/aws' })).toEqual({ credentials: '/h/c', config: '/etc/aws' });
  });

  it('reads ~/.aws/credentials under HOME for the default profile', async () => {
    const home = join(root, 'home');
    mkdirSync(join(home, '.aws'), { recursive: true });
    writeFileSync(join(home, '.aws', 'credentials'), '[default]\naws_access_key_id = AKIAHOME\naws_secret_access_key = homesecret\n');
    expect((await loadSharedProfile({ HOME: home }))?.credentials).toEqual({ kind: 'keys', keys: { accessKeyId: 'AKIAHOME', secretAccessKey: 'homesecret' } });
  });

  it('merges a profile key by key, the credentials file winning; region from the config file first', async () => {
    const env = files(
      {
        config: '[profile dev]\naws_access_key_id = AKIACONFIG\naws_secret_access_key = configsecret\nregion = eu-central-1\n',
        credentials: '[dev]\naws_access_key_id = AKIACREDS\naws_session_token = tok\nregion = us-west-2\n',
      },
      { AWS_PROFILE: 'dev' },
    );
    expect(await loadSharedProfile(env)).toEqual({
      name: 'dev',
      region: 'eu-central-1',
      credentials: { kind: 'keys', keys: { accessKeyId: 'AKIACREDS', secretAccessKey: 'configsecret', sessionToken: 'tok' } },
    });
  });

  it('in the config file reads [default] and [profile x] only; [profile default] replaces [default]', async () => {
    const config = '[dev]\naws_access_key_id = AKIAIGNORED\naws_secret_access_key = s\n[default]\nregion = us-east-1\n[profile default]\nregion = us-east-2\n';
    expect((await loadSharedProfile(files({ config })))?.region).toBe('us-east-2');
    const named = await loadSharedProfile(files({ config }, { AWS_PROFILE: 'dev' }));
    expect(named?.credentials).toMatchObject({ kind: 'failed', detail: expect.stringContaining("AWS profile 'dev' (AWS_PROFILE) is in neither") });
  });

  it('no files and no AWS_PROFILE is no profile; a profile without credentials lets the chain go on', async () => {
    expect(await loadSharedProfile(files({}))).toBeUndefined();
    expect(await loadSharedProfile(files({ config: '[profile other]\nregion = x\n' }))).toBeUndefined();
    expect(await loadSharedProfile(files({ config: '[default]\nregion = ap-south-1\n' }))).toEqual({ name: 'default', region: 'ap-south-1', credentials: { kind: 'none' } });
  });

  it('a file that exists but cannot be read fails the profile by path, not the load', async () => {
    const env = files({ config: '[default]\nregion = eu-west-3\n' });
    mkdirSync(env.AWS_SHARED_CREDENTIALS_FILE!); // a directory: EISDIR (tests may run as root, where EACCES can't be staged)
    const detail = `AWS shared credentials file ${env.AWS_SHARED_CREDENTIALS_FILE} unreadable (EISDIR)`;
    expect(await loadSharedProfile(env)).toEqual({ name: 'default', region: 'eu-west-3', credentials: { kind: 'failed', detail }, unread: detail });
    const error = await failure(creds(bedrock(), await envWithProfile(env), 'eu-west-3'));
    expect(error.code).toBe('GW_ERR_AI_CREDENTIALS_FAILED');
    expect(error.message).toContain(detail);
    // Keys elsewhere in the chain don't need the profile: no error.
    expect((await creds(bedrock({ keys: ['AKIACFG', 'cfgsecret'] }), await envWithProfile(env), 'eu-west-3')).accessKeyId).toBe('AKIACFG');
  });
});

describe('role_arn with source_profile', () => {
  const config = `[profile ops]\nrole_arn = arn:aws:iam::123456789012:role/ops\nsource_profile = base\nrole_session_name = me\nexternal_id = ext-1\naws_access_key_id = AKIAOWN\naws_secret_access_key = ownsecret\n`;

  it("assumes the role with the source profile's keys (a role beats the profile's own keys)", async () => {
    const profile = await loadSharedProfile(files({ config, credentials: '[base]\naws_access_key_id = AKIABASE\naws_secret_access_key = basesecret\n' }, { AWS_PROFILE: 'ops' }));
    expect(profile?.credentials).toEqual({
      kind: 'role',
      roleArn: 'arn:aws:iam::123456789012:role/ops',
      sessionName: 'me',
      externalId: 'ext-1',
      source: { accessKeyId: 'AKIABASE', secretAccessKey: 'basesecret' },
    });
  });

  it('names what is missing: the source profile, its keys (no chained roles), or a source_profile', async () => {
    const detail = async (text: string, credentials = '') => {
      const profile = await loadSharedProfile(files({ config: text, credentials }, { AWS_PROFILE: 'ops' }));
      return profile?.credentials.kind === 'failed' ? profile.credentials.detail : profile?.credentials.kind;
    };
    expect(await detail(config)).toBe("source_profile 'base' of AWS profile 'ops' is in neither shared file");
    expect(await detail(config, '[base]\nrole_arn = arn:aws:iam::1:role/x\nsource_profile = root\n')).toContain("AWS profile 'base' (source_profile of 'ops') has no aws_access_key_id");
    expect(await detail('[profile ops]\nrole_arn = arn:aws:iam::1:role/x\n')).toBe("AWS profile 'ops' has role_arn without source_profile");
    expect(await detail(`${config}mfa_serial = arn:aws:iam::1:mfa/me\n`, '[base]\naws_access_key_id = A\naws_secret_access_key = B\n')).toContain('uses mfa_serial');
  });
});

describe('settings gw does not implement fail by name, not by falling through', () => {
  it.each([
    // credential_process is supported (process-credentials.test.ts), after web identity as in the SDKs.
    ['role_arn = arn:aws:iam::1:role/x\nweb_identity_token_file = /t\ncredential_process = /bin/creds', 'web_identity_token_file'],
    ['role_arn = arn:aws:iam::1:role/x\ncredential_source = Ec2InstanceMetadata\naws_access_key_id = A\naws_secret_access_key = B', 'credential_source'],
  ])('%s', async (body, setting) => {
    const env = await envWithProfile(files({ config: `[profile p]\n${body}\n` }, { AWS_PROFILE: 'p' }));
    const error = await failure(creds(bedrock(), env, 'us-east-1'));
    expect(error.code).toBe('GW_ERR_AI_CREDENTIALS_FAILED');
    expect(error.message).toContain(`AWS profile 'p' uses ${setting}, which gw does not support`);
  });
});

describe('the profile in the credential chain and the region', () => {
  const keys = '[default]\naws_access_key_id = AKIADEFAULT\naws_secret_access_key = defaultsecret\n[dev]\naws_access_key_id = AKIADEV\naws_secret_access_key = devsecret\n';
  const envKeys = { AWS_ACCESS_KEY_ID: 'AKIAENV', AWS_SECRET_ACCESS_KEY: 'envsecret' };

  it('env keys beat the default profile, AWS_PROFILE beats env keys, config keys beat both', async () => {
    expect((await creds(bedrock(), await envWithProfile(files({ credentials: keys }, envKeys)), 'r')).accessKeyId).toBe('AKIAENV');
    const named = await envWithProfile(files({ credentials: keys }, { ...envKeys, AWS_PROFILE: 'dev' }));
    expect(await creds(bedrock(), named, 'r')).toEqual({ accessKeyId: 'AKIADEV', secretAccessKey: 'devsecret' });
    expect((await creds(bedrock({ keys: ['AKIACFG', 'cfgsecret'] }), named, 'r')).accessKeyId).toBe('AKIACFG');
    expect((await creds(bedrock(), await envWithProfile(files({ credentials: keys })), 'r')).accessKeyId).toBe('AKIADEFAULT');
  });

  it('a profile without credentials goes on down the chain', async () => {
    const env = await envWithProfile(files({ config: '[default]\nregion = eu-north-1\n' }));
    expect((await failure(creds(bedrock(), env, 'r'))).code).toBe('GW_ERR_AI_NO_CREDENTIALS');
  });

  it('region: config option, AWS_REGION, AWS_DEFAULT_REGION, then the profile', async () => {
    const env = await envWithProfile(files({ config: '[profile dev]\nregion = eu-west-1\n' }, { AWS_PROFILE: 'dev' }));
    expect(regionOf(bedrock(), env)).toBe('eu-west-1');
    expect(regionOf(bedrock(), { env: { ...env.env, AWS_DEFAULT_REGION: 'us-west-1' }, profile: env.profile })).toBe('us-west-1');
    expect(regionOf(bedrock({ region: 'ap-east-1' }), env)).toBe('ap-east-1');
  });

  it('with no region anywhere, a profile that could not be read is the answer, not GW_ERR_AI_NO_REGION', async () => {
    const missing = await envWithProfile(files({ config: '[profile dev]\nregion = eu-west-1\n' }, { AWS_PROFILE: 'prod' }));
    const error = await failure((async () => regionOf(bedrock(), missing))());
    expect(error.code).toBe('GW_ERR_AI_CREDENTIALS_FAILED');
    expect(error.message).toContain("AWS profile 'prod' (AWS_PROFILE) is in neither");
    expect(regionOf(bedrock({ region: 'us-east-1' }), missing)).toBe('us-east-1');
    // A profile that was read but names no region leaves the usual answer.
    const regionless = await envWithProfile(files({ config: '[profile p]\ncredential_process = x\n' }, { AWS_PROFILE: 'p' }));
    expect((await failure((async () => regionOf(bedrock(), regionless))())).code).toBe('GW_ERR_AI_NO_REGION');
  });

  it('the env stays live under the profile', async () => {
    const vars: NodeJS.ProcessEnv = files({ config: '[default]\nregion = eu-west-1\n' });
    const env = await envWithProfile(vars);
    vars.AWS_REGION = 'sa-east-1';
    expect(regionOf(bedrock(), env)).toBe('sa-east-1');
  });

  it('never puts a value from the files into an error', async () => {
    const secret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYzSECRET1';
    const token = 'IQoJb3JpZ2luX2VjEXAMPLESESSIONTOKEN';
    const cases: NodeJS.ProcessEnv[] = [
      files({ credentials: `[dev]\naws_secret_access_key = ${secret}\naws_session_token = ${token}\n` }, { AWS_PROFILE: 'dev' }),
      files({ credentials: `[dev]\naws_secret_access_key = ${secret}\ncredential_process = /bin/x ${secret}\n` }, { AWS_PROFILE: 'dev' }),
      files({ credentials: `[other]\naws_access_key_id = AKIAOTHER\naws_secret_access_key = ${secret}\n` }, { AWS_PROFILE: 'dev' }),
      files({ config: `[profile dev]\nrole_arn = arn:aws:iam::1:role/x\nsource_profile = base\n`, credentials: `[base]\naws_secret_access_key = ${secret}\n` }, { AWS_PROFILE: 'dev' }),
    ];
    for (const vars of cases) {
      const error = await failure(creds(bedrock(), await envWithProfile(vars), 'us-east-1'));
      expect(error.code).toBe('GW_ERR_AI_CREDENTIALS_FAILED');
      for (const text of [error.message, String(error.stack), JSON.stringify(error)]) {
        expect(text).not.toContain(secret);
        expect(text).not.toContain(token);
      }
    }
  });
});

describe('plugin init', () => {
  it('reads the files when the instance is created, and again for a new instance (reload)', async () => {
    const env = files({ config: '[profile dev]\nregion = eu-west-1\n' }, { AWS_PROFILE: 'dev' });
    const saved = { ...process.env };
    Object.assign(process.env, env);
    try {
      const create = async () => (((await aiProxyPlugin.init!(bedrock(), { logger: console, configDir: '.', pluginId: 'p' })) as AiState).backend as { profile?: unknown }).profile;
      const first = (await create()) as SharedProfile;
      expect(first.region).toBe('eu-west-1');
      writeFileSync(env.AWS_CONFIG_FILE!, '[profile dev]\nregion = us-east-2\n');
      expect(((await create()) as SharedProfile).region).toBe('us-east-2');
      expect(first.region).toBe('eu-west-1');
      const anthropic = aiProxyConfig({ model: { provider: 'anthropic', name: 'm' } });
      expect(((await aiProxyPlugin.init!(anthropic, { logger: console, configDir: '.', pluginId: 'a' })) as AiState).backend).toBeUndefined();
    } finally {
      for (const key of Object.keys(env)) {
        if (saved[key] === undefined) delete process.env[key];
        else process.env[key] = saved[key];
      }
    }
  });
});
