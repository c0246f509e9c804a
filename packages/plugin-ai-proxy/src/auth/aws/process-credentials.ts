/**
 * `credential_process` profiles, as the AWS SDK for JavaScript v3 (`fromProcess`) runs them: the command
 * line goes to the shell (`/bin/sh -c`, cmd.exe on Windows: quoting, `~` and variables work as they do for
 * the SDK), inheriting gw's environment, and prints on stdout
 * `{"Version": 1, "AccessKeyId", "SecretAccessKey", "SessionToken"?, "Expiration"?}`.
 *
 * The credentials are held per plugin instance (the profile object it read at init): without Expiration
 * for its lifetime, else renewed five minutes before they expire (the margin of sts-client.ts); requests
 * that arrive while the command runs share that run, and a failed run is not kept. stdout holds the
 * secrets and stderr (discarded) or the arguments may too: messages name the profile, the program's file
 * name and what went wrong, nothing the command printed.
 */
import { spawn } from 'node:child_process';
import { credentialsFailed, type AwsCredentials } from './identity.js';
import { RENEW_BEFORE_MS } from './sts-client.js';

/** A profile's `credential_process`, read at init (shared-files.ts). */
export interface ProcessSource {
  /** The profile that names the command, for messages. */
  profile: string;
  /** The command line as written; never in a message (its arguments may be secrets). */
  command: string;
}

export interface ProcessLimits {
  timeoutMs?: number;
  maxBytes?: number;
}

/**
 * Long enough for a helper that asks a vault or an identity provider over the network (the SDK sets no
 * limit at all), short enough that a hung helper answers the waiting requests with an error instead of
 * holding them until the client gives up.
 */
export const PROCESS_TIMEOUT_MS = 30_000;
/** A credentials document is a few KB; this is Node's default exec buffer, what the SDK accepts. */
export const PROCESS_MAX_BYTES = 1024 * 1024;

interface Held {
  credentials: AwsCredentials;
  /** Infinity when the process printed no Expiration. */
  expiresAt: number;
}

const held = new WeakMap<ProcessSource, Promise<Held>>();

/** The command's credentials, run once per cache lifetime of `source`. */
export async function processCredentials(source: ProcessSource, env: NodeJS.ProcessEnv, limits: ProcessLimits = {}, now = Date.now): Promise<AwsCredentials> {
  const current = held.get(source);
  if (current !== undefined) {
    const found = await current;
    if (found.expiresAt - now() > RENEW_BEFORE_MS) return found.credentials;
    if (held.get(source) !== current) return processCredentials(source, env, limits, now); // another request renewed them
  }
  const pending = runProcess(source, env, limits, now);
  held.set(source, pending);
  pending.catch(() => {
    if (held.get(source) === pending) held.delete(source);
  });
  return (await pending).credentials;
}

function runProcess(source: ProcessSource, env: NodeJS.ProcessEnv, limits: ProcessLimits, now: () => number): Promise<Held> {
  const timeoutMs = limits.timeoutMs ?? PROCESS_TIMEOUT_MS;
  const maxBytes = limits.maxBytes ?? PROCESS_MAX_BYTES;
  const fail = (what: string) => credentialsFailed(`AWS profile '${source.profile}' credential_process (${programName(source.command)}) ${what}`);
  return new Promise<Held>((resolve, reject) => {
    // stdin: no terminal to answer from on the request path; stderr: may hold secrets, so never logged.
    // Its own process group (POSIX), so that stopping it stops what the shell started, not just the shell.
    const group = process.platform !== 'win32';
    const child = spawn(source.command, { shell: true, env, stdio: ['ignore', 'pipe', 'ignore'], windowsHide: true, detached: group });
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const settle = (error: Error | undefined, result?: Held) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (error === undefined) resolve(result!);
      else reject(error);
    };
    // Killed and not waited for: a descendant still holding stdout open must not hold the requests.
    const stop = (error: Error) => {
      try {
        if (group && child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
        else child.kill('SIGKILL');
      } catch {
        // already gone
      }
      child.stdout.destroy();
      settle(error);
    };
    const timer = setTimeout(() => stop(fail(`did not finish within ${timeoutMs / 1000} s`)), timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) stop(fail(`printed more than ${maxBytes} bytes`));
      else chunks.push(chunk);
    });
    child.on('error', (error: NodeJS.ErrnoException) => settle(fail(`could not be started (${error.code ?? 'error'})`)));
    child.on('close', (code, signal) => {
      if (signal !== null) return settle(fail(`was stopped by ${signal}`));
      if (code !== 0) return settle(fail(`exited with code ${code}${code === 127 ? ' (command not found)' : ''}`));
      try {
        settle(undefined, readOutput(Buffer.concat(chunks).toString('utf8'), fail, now));
      } catch (error) {
        settle(error as Error);
      }
    });
  });
}

/** The printed credentials, checked as the SDK checks them; `fail` details name fields, never values. */
function readOutput(text: string, fail: (what: string) => Error, now: () => number): Held {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw fail('did not print JSON');
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw fail('did not print a JSON object');
  const { Version, AccessKeyId, SecretAccessKey, SessionToken, Expiration } = data as Record<string, unknown>;
  if (Version !== 1) throw fail('did not print Version 1');
  if (typeof AccessKeyId !== 'string' || AccessKeyId === '') throw fail('printed no AccessKeyId');
  if (typeof SecretAccessKey !== 'string' || SecretAccessKey === '') throw fail('printed no SecretAccessKey');
  if (SessionToken !== undefined && SessionToken !== null && typeof SessionToken !== 'string') throw fail('printed a SessionToken that is not a string');
  const credentials: AwsCredentials = SessionToken ? { accessKeyId: AccessKeyId, secretAccessKey: SecretAccessKey, sessionToken: SessionToken } : { accessKeyId: AccessKeyId, secretAccessKey: SecretAccessKey };
  // As in the SDK, an empty or absent Expiration means credentials that don't expire.
  if (Expiration === undefined || Expiration === null || Expiration === '') return { credentials, expiresAt: Infinity };
  const expiresAt = typeof Expiration === 'string' ? Date.parse(Expiration) : NaN;
  if (Number.isNaN(expiresAt)) throw fail('printed an Expiration that is not an ISO 8601 time');
  if (expiresAt <= now()) throw fail(`returned credentials that expired at ${new Date(expiresAt).toISOString()}`);
  return { credentials, expiresAt };
}

/**
 * The file name of the command's program (`/opt/bin/helper --token x` → `helper`), for messages; a first
 * word that doesn't look like one (`TOKEN=… helper`) is not shown.
 */
export function programName(command: string): string {
  const first = /^\s*(?:"([^"]*)"|'([^']*)'|(\S+))/.exec(command);
  const word = first?.[1] ?? first?.[2] ?? first?.[3] ?? '';
  const name = word.split(/[\\/]/).pop() ?? '';
  return /^[\w.+-]+$/.test(name) ? name : 'command';
}
