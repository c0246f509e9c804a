/**
 * gw's thin layer over a credential source: one fetch shared by every request that arrives while it
 * runs, the answer held until five minutes before it expires (the AWS SDKs' margin), a failure never
 * held (the next request tries again) except "no credentials at all", which is remembered for a minute so
 * a gateway without credentials answers at once instead of asking the instance metadata service every
 * time; and a bound on how long requests wait on a source that hangs (a credential_process that never
 * exits), after which the source is made anew.
 */
import { GatewayError } from '@gw/plugin-api';
import type { AwsCredentials } from './identity.js';

export type CredentialSource = () => Promise<AwsCredentials>;

export const RENEW_BEFORE_MS = 5 * 60_000;
export const NO_CREDENTIALS_FOR_MS = 60_000;
export const FETCH_TIMEOUT_MS = 30_000;

export interface HeldOptions {
  now?: () => number;
  timeoutMs?: number;
  /** Called when a fetch timed out: the source should drop whatever hung (a new SDK chain). */
  onTimeout?: () => void;
}

export function held(fetch: CredentialSource, options: HeldOptions = {}): CredentialSource {
  const now = options.now ?? Date.now;
  const timeoutMs = options.timeoutMs ?? FETCH_TIMEOUT_MS;
  let current: Promise<AwsCredentials> | undefined;
  let none: { until: number; error: GatewayError } | undefined;
  const renew = (): Promise<AwsCredentials> => {
    const pending = withTimeout(fetch(), timeoutMs, options.onTimeout);
    current = pending;
    pending.catch((error: unknown) => {
      if (current === pending) current = undefined;
      if (GatewayError.is(error) && error.code === 'GW_ERR_AI_NO_CREDENTIALS') none = { until: now() + NO_CREDENTIALS_FOR_MS, error };
    });
    return pending;
  };
  const get = async (): Promise<AwsCredentials> => {
    if (none !== undefined && none.until > now()) throw none.error;
    const pending = current;
    if (pending === undefined) return renew();
    const credentials = await pending;
    if (credentials.expiresAt === undefined || credentials.expiresAt - now() > RENEW_BEFORE_MS) return credentials;
    return current === pending ? renew() : get(); // else another request renewed them meanwhile
  };
  return get;
}

function withTimeout(pending: Promise<AwsCredentials>, ms: number, onTimeout: (() => void) | undefined): Promise<AwsCredentials> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onTimeout?.();
      reject(new GatewayError('GW_ERR_AI_CREDENTIALS_FAILED', { params: { detail: `no answer from the AWS credential source within ${ms / 1000} s` } }));
    }, ms);
    timer.unref();
  });
  return Promise.race([pending, late]).finally(() => clearTimeout(timer));
}
