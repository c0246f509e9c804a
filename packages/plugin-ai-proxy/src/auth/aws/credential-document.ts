/**
 * What the credential agents share: the JSON document the ECS/EKS agents and EC2 instance metadata answer
 * with (`AccessKeyId`, `SecretAccessKey`, `Token`, `Expiration`, and `Code` from IMDS), and the token
 * files Kubernetes rotates in place (read for every fetch, never cached).
 */
import { readFile } from 'node:fs/promises';
import type { TemporaryCredentials } from './sts-client.js';

/** The credentials in an agent's JSON answer; `fail` gets a detail that never quotes the document. */
export function parseCredentialDocument(text: string, what: string, fail: (detail: string) => Error): TemporaryCredentials {
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw fail(`unreadable ${what}`);
  }
  if (body.Code !== undefined && body.Code !== 'Success') throw fail(`${what}: ${typeof body.Code === 'string' ? body.Code : 'no Code'}`);
  const { AccessKeyId, SecretAccessKey, Token, Expiration } = body;
  const expiresAt = typeof Expiration === 'string' ? Date.parse(Expiration) : NaN;
  if (typeof AccessKeyId !== 'string' || typeof SecretAccessKey !== 'string' || typeof Token !== 'string' || Number.isNaN(expiresAt)) {
    throw fail(`unreadable ${what}`);
  }
  return { accessKeyId: AccessKeyId, secretAccessKey: SecretAccessKey, sessionToken: Token, expiresAt };
}

/** A token file's content, trimmed; `fail` names the file's role and the error code only. */
export async function readTokenFile(file: string, what: string, fail: (detail: string) => Error): Promise<string> {
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch (error) {
    throw fail(`${what} unreadable (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}
