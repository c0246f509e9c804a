/**
 * What the AWS SDK's credential providers throw, as gw's errors: the SDK's own words where they are safe
 * to show, never what could carry a secret. Per source:
 * - nothing found (its chain's last link) → GW_ERR_AI_NO_CREDENTIALS;
 * - an STS answer (web identity, a profile's role, Kong's role) → GW_ERR_AI_ASSUME_ROLE_FAILED with STS's
 *   error code (AccessDenied, InvalidIdentityToken…), which names the problem and quotes nothing;
 * - a connection failure → its errno code only;
 * - a credential_process that failed: the SDK's message is the command line and its stderr (either may
 *   hold a secret), so only the profile is named;
 * - any other provider message (profile settings, SSO token state, container URL checks): its first line,
 *   credential-looking pairs redacted, capped.
 */
import { GatewayError } from '@gw/plugin-api';
import { assumeRoleFailed, credentialsFailed } from './identity.js';

interface SdkError {
  name?: unknown;
  message?: unknown;
  code?: unknown;
  Code?: unknown;
  Error?: { Code?: unknown };
  $metadata?: unknown;
}

const NONE = /^Could not load credentials from any providers/;
const ERRNO = /^E[A-Z0-9_]{2,30}$/;
const CREDENTIAL = /(x-amz-security-token|authorization|x-api-key|credential|signature|secret|token)(\s*[:=]\s*)[^\s'"&,]+/gi;
const CAP = 300;

/** An error from the credential chain (the base credentials). */
export function chainError(error: unknown, profile: string | undefined): GatewayError {
  if (GatewayError.is(error)) return error;
  const e = (error ?? {}) as SdkError;
  const message = typeof e.message === 'string' ? e.message : '';
  if (NONE.test(message)) return new GatewayError('GW_ERR_AI_NO_CREDENTIALS');
  // Connection failures carry $metadata too (the SDK's retries): the errno first.
  if (typeof e.code === 'string' && ERRNO.test(e.code)) return credentialsFailed(`AWS credential endpoint unreachable (${e.code})`);
  if (e.$metadata !== undefined) return assumeRoleFailed(stsCode(e));
  if (message.startsWith('Command failed:')) {
    return credentialsFailed(`AWS profile '${profile ?? 'default'}' credential_process failed (its command line and output are not shown: they may hold secrets)`);
  }
  const name = typeof e.name === 'string' ? e.name : 'error';
  const said = safeMessage(message) || `the AWS SDK's credential chain failed (${name})`;
  // The SDK's messages say "this profile": name it.
  return credentialsFailed(profile === undefined ? said : `AWS profile '${profile}': ${said}`);
}

/** An error from STS AssumeRole on Kong's `aws_assume_role_arn`. */
export function roleError(error: unknown): GatewayError {
  if (GatewayError.is(error)) return error;
  const e = (error ?? {}) as SdkError;
  if (typeof e.code === 'string' && ERRNO.test(e.code)) return assumeRoleFailed(`STS unreachable (${e.code})`);
  if (e.$metadata !== undefined) return assumeRoleFailed(stsCode(e));
  return assumeRoleFailed(safeMessage(typeof e.message === 'string' ? e.message : '') || 'STS call failed');
}

/** STS's error code as its XML said it (the SDK names modeled errors `…Exception`, the code is in `Error.Code`). */
function stsCode(e: SdkError): string {
  const code = e.Error?.Code ?? e.Code ?? e.name;
  return typeof code === 'string' && /^[\w.:-]{1,80}$/.test(code) ? code : 'STS error';
}

export function safeMessage(message: string): string {
  const line = message.split(/\r?\n/, 1)[0]!.trim().replace(CREDENTIAL, '$1$2REDACTED');
  return line.length > CAP ? `${line.slice(0, CAP)}…` : line;
}
