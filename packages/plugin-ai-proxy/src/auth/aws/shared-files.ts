/**
 * The AWS shared files (`aws configure`, AWS_PROFILE), as the AWS SDK for JavaScript v3 reads them: the
 * credentials file (AWS_SHARED_CREDENTIALS_FILE, default ~/.aws/credentials, `[name]`) and the config file
 * (AWS_CONFIG_FILE, default ~/.aws/config, `[default]` and `[profile name]`). The profile is AWS_PROFILE,
 * else `default`; for one profile the credentials file's settings win over the config file's.
 *
 * Read once per plugin instance (init, so a reload reads them again), never on the request path. A file
 * that can't be read, or an AWS_PROFILE that names no profile, doesn't stop the gateway: the requests that
 * need the profile's credentials fail naming the file or the profile (never a value from the files).
 */
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { AwsCredentials } from './identity.js';
import { parseIni, type IniSections } from './ini.js';
import { isSsoProfile, ssoProfileOf, type SsoProfile } from './sso-credentials.js';
import type { ProcessSource } from './process-credentials.js';

/** What the selected profile signs with. */
export type ProfileCredentials =
  | { kind: 'none' }
  | { kind: 'keys'; keys: AwsCredentials }
  /** `role_arn` + `source_profile`: STS AssumeRole signed with the source profile's keys or credential_process. */
  | { kind: 'role'; roleArn: string; sessionName?: string; externalId?: string; source: AwsCredentials | ProcessSource }
  /** `credential_process`: the credentials a command prints (process-credentials.ts). */
  | { kind: 'process'; process: ProcessSource }
  /** `sso_*` (IAM Identity Center): the role credentials the cached `aws sso login` token gets (sso-credentials.ts). */
  | { kind: 'sso'; sso: SsoProfile }
  | { kind: 'failed'; detail: string };

export interface SharedProfile {
  name: string;
  /** `region`: the config file's, else the credentials file's (the SDKs' order for config values). */
  region?: string;
  credentials: ProfileCredentials;
  /** Why the profile's settings couldn't all be read (a file unreadable, AWS_PROFILE in neither file). */
  unread?: string;
}

interface SharedFile {
  path: string;
  sections: IniSections;
  /** Why it couldn't be read (a missing file is just empty). */
  problem?: string;
}

export function sharedFilePaths(env: NodeJS.ProcessEnv): { credentials: string; config: string } {
  const home = env.HOME || homedir();
  const resolve = (configured: string | undefined, name: string) =>
    !configured ? join(home, '.aws', name) : configured.startsWith('~/') ? join(home, configured.slice(2)) : configured;
  return { credentials: resolve(env.AWS_SHARED_CREDENTIALS_FILE, 'credentials'), config: resolve(env.AWS_CONFIG_FILE, 'config') };
}

/** Both files read and the AWS_PROFILE (or `default`) profile picked out; undefined when there is none. */
export async function loadSharedProfile(env: NodeJS.ProcessEnv): Promise<SharedProfile | undefined> {
  const paths = sharedFilePaths(env);
  const [credentials, config] = await Promise.all([
    readSharedFile(paths.credentials, 'AWS shared credentials file'),
    readSharedFile(paths.config, 'AWS config file'),
  ]);
  return selectProfile(env, credentials, config);
}

async function readSharedFile(path: string, what: string): Promise<SharedFile> {
  try {
    return { path, sections: parseIni(await readFile(path, 'utf8')) };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { path, sections: new Map() };
    return { path, sections: new Map(), problem: `${what} ${path} unreadable (${code ?? 'error'})` };
  }
}

export function selectProfile(env: NodeJS.ProcessEnv, credentials: SharedFile, config: SharedFile): SharedProfile | undefined {
  const name = env.AWS_PROFILE || 'default';
  // In the config file `[profile default]` replaces `[default]`; an unprefixed `[name]` is not a profile.
  const fromConfig = (profile: string) => config.sections.get(`profile ${profile}`) ?? (profile === 'default' ? config.sections.get('default') : undefined);
  const lookup = (profile: string): Map<string, string> | undefined => {
    const a = fromConfig(profile);
    const b = credentials.sections.get(profile);
    return a === undefined && b === undefined ? undefined : new Map([...(a ?? []), ...(b ?? [])]);
  };
  const region = fromConfig(name)?.get('region') ?? credentials.sections.get(name)?.get('region');
  const problem = credentials.problem ?? config.problem;
  if (problem !== undefined) return { name, region, credentials: failed(problem), unread: problem };
  const settings = lookup(name);
  if (settings === undefined) {
    if (!env.AWS_PROFILE) return undefined;
    const missing = `AWS profile '${name}' (AWS_PROFILE) is in neither ${credentials.path} nor ${config.path}`;
    return { name, credentials: failed(missing), unread: missing };
  }
  // `[sso-session name]` sections are read from the config file only, as the SDKs do.
  const ssoSession = (session: string) => config.sections.get(`sso-session ${session}`);
  return { name, region, credentials: profileCredentials(name, settings, lookup, (other) => ssoProfileOf(name, other, ssoSession, env)) };
}

const UNSUPPORTED = ['web_identity_token_file', 'credential_source'];

/**
 * The SDKs' order for the selected profile: a role (`role_arn` with `source_profile`) before the
 * profile's own keys, then the sources gw doesn't implement (which fail by name rather than fall through
 * to another source the developer didn't pick), then `credential_process`, then SSO. A profile with none
 * of these lets the chain go on.
 */
function profileCredentials(
  name: string,
  settings: Map<string, string>,
  lookup: (profile: string) => Map<string, string> | undefined,
  sso: (settings: Map<string, string>) => ProfileCredentials,
): ProfileCredentials {
  const roleArn = settings.get('role_arn');
  const sourceName = settings.get('source_profile');
  if (roleArn !== undefined && settings.has('credential_source')) return unsupported(name, 'credential_source');
  if (roleArn !== undefined && sourceName !== undefined) {
    if (settings.has('mfa_serial')) return unsupported(name, 'mfa_serial');
    const source = lookup(sourceName);
    if (source === undefined) return failed(`source_profile '${sourceName}' of AWS profile '${name}' is in neither shared file`);
    // The source profile's own keys come first (the SDKs' rule for a second hop), then its
    // credential_process unless it names a role (a chain or web identity, which the SDKs would try
    // before the command and gw doesn't follow); gw goes no further.
    const keys = keysOf(sourceName, source);
    if (keys?.kind === 'failed') return keys;
    const command = keys === undefined && !source.has('role_arn') ? processOf(sourceName, source) : undefined;
    const from = keys?.keys ?? command?.process;
    if (from === undefined) {
      return failed(`AWS profile '${sourceName}' (source_profile of '${name}') has no aws_access_key_id and aws_secret_access_key or credential_process; gw does not chain roles or other sources`);
    }
    return { kind: 'role', roleArn, sessionName: settings.get('role_session_name'), externalId: settings.get('external_id'), source: from };
  }
  const keys = keysOf(name, settings);
  if (keys !== undefined) return keys;
  const other = UNSUPPORTED.find((key) => settings.has(key));
  if (other !== undefined) return unsupported(name, other);
  const command = processOf(name, settings);
  if (command !== undefined) return command;
  if (isSsoProfile(settings)) return sso(settings);
  if (roleArn !== undefined) return failed(`AWS profile '${name}' has role_arn without source_profile`);
  return { kind: 'none' };
}

/** The profile's key pair (with its session token); half a pair is a mistake worth naming. */
function keysOf(name: string, settings: Map<string, string>): Extract<ProfileCredentials, { kind: 'keys' | 'failed' }> | undefined {
  const accessKeyId = settings.get('aws_access_key_id');
  const secretAccessKey = settings.get('aws_secret_access_key');
  if (accessKeyId === undefined && secretAccessKey === undefined) return undefined;
  if (accessKeyId === undefined || secretAccessKey === undefined) {
    return failed(`AWS profile '${name}' has ${accessKeyId === undefined ? 'aws_secret_access_key without aws_access_key_id' : 'aws_access_key_id without aws_secret_access_key'}`);
  }
  const sessionToken = settings.get('aws_session_token');
  return { kind: 'keys', keys: sessionToken === undefined ? { accessKeyId, secretAccessKey } : { accessKeyId, secretAccessKey, sessionToken } };
}

/** The profile's `credential_process`, if it has one (an empty `key =` is a nested block in ini.ts, never a value). */
function processOf(name: string, settings: Map<string, string>): Extract<ProfileCredentials, { kind: 'process' }> | undefined {
  const command = settings.get('credential_process');
  return command === undefined ? undefined : { kind: 'process', process: { profile: name, command } };
}

function unsupported(name: string, setting: string): { kind: 'failed'; detail: string } {
  return failed(`AWS profile '${name}' uses ${setting}, which gw does not support (use aws_access_key_id and aws_secret_access_key, role_arn with source_profile, credential_process, or sso_*)`);
}

function failed(detail: string): { kind: 'failed'; detail: string } {
  return { kind: 'failed', detail };
}
