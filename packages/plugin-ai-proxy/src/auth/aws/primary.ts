/**
 * One process fetches AWS credentials for all of a gw cluster's workers (`gw start --workers N`): the
 * primary. With N workers each running the SDK's chain, N processes would refresh an SSO token at once
 * and write it back to ~/.aws/sso/cache, and with a rotating refresh token all but the first would be
 * refused; each would also run the credential_process and call STS. So in a gw worker (GW_WORKER_ID, set
 * by gw's primary when it forks one) the source asks the primary over the cluster's IPC channel, and the
 * primary runs the very same source (makeSource in credentials.ts, held as everywhere) once per spec and
 * answers every worker from it. Keys written in the config never travel: they need no fetching.
 *
 * Messages carry `type: 'gw:aws-credentials'`, apart from gw's own cluster calls.
 */
import cluster from 'node:cluster';
import { ERROR_CATALOGUE, GatewayError, type ErrorCode } from '@gw/plugin-api';
import { FETCH_TIMEOUT_MS, type CredentialSource } from './held.js';
import type { AwsCredentials } from './identity.js';
import type { AssumeRole } from './sdk.js';

const TYPE = 'gw:aws-credentials';

/** What a source depends on: the same spec gives the same credentials in every worker. */
export interface SourceSpec {
  keys?: AwsCredentials;
  role?: AssumeRole;
  region: string;
}

interface Ask {
  type: typeof TYPE;
  id: number;
  spec: SourceSpec;
}

interface Answer {
  type: typeof TYPE;
  id: number;
  credentials?: AwsCredentials;
  error?: { code: ErrorCode; message: string; status: number };
}

/** In a worker of `gw start --workers`, whose primary answers credential asks. */
export function inGwWorker(): boolean {
  return cluster.isWorker && process.env.GW_WORKER_ID !== undefined;
}

const pending = new Map<number, { resolve(c: AwsCredentials): void; reject(e: Error): void; timer: NodeJS.Timeout }>();
let asked = 0;
let listening = false;

function onAnswer(message: unknown): void {
  const answer = message as Partial<Answer> | null;
  if (answer?.type !== TYPE || typeof answer.id !== 'number') return;
  const waiting = pending.get(answer.id);
  if (!waiting) return;
  pending.delete(answer.id);
  clearTimeout(waiting.timer);
  if (answer.credentials) waiting.resolve(answer.credentials);
  else waiting.reject(new GatewayError(answer.error?.code ?? 'GW_ERR_AI_CREDENTIALS_FAILED', { message: answer.error?.message, status: answer.error?.status }));
}

/** A worker's source: the primary's answer for `spec`. */
export function fromPrimary(spec: SourceSpec): CredentialSource {
  return () =>
    new Promise<AwsCredentials>((resolve, reject) => {
      if (!listening) {
        listening = true;
        process.on('message', onAnswer);
      }
      const id = ++asked;
      // The primary bounds its own fetch (held.ts); this only covers a primary that never answers.
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new GatewayError('GW_ERR_AI_CREDENTIALS_FAILED', { params: { detail: `no answer from the gw primary within ${(FETCH_TIMEOUT_MS + 5_000) / 1000} s` } }));
      }, FETCH_TIMEOUT_MS + 5_000);
      timer.unref();
      pending.set(id, { resolve, reject, timer });
      process.send!({ type: TYPE, id, spec } satisfies Ask);
    });
}

let serving = false;

/** In a cluster primary: answer the workers' asks from one source per spec (made by `make`). */
export function serveWorkers(make: (spec: SourceSpec) => CredentialSource): void {
  if (serving || !cluster.isPrimary) return;
  serving = true;
  const sources = new Map<string, CredentialSource>();
  cluster.on('message', (worker, message: unknown) => {
    const ask = message as Partial<Ask> | null;
    if (ask?.type !== TYPE || typeof ask.id !== 'number' || !ask.spec) return;
    const { spec, id } = ask as Ask;
    const key = JSON.stringify([spec.keys?.accessKeyId ?? '', spec.keys?.secretAccessKey ?? '', spec.region, spec.role ?? null]);
    let source = sources.get(key);
    if (!source) sources.set(key, (source = make(spec)));
    const reply = (answer: Answer) => {
      // A worker that died meanwhile: its replacement asks again.
      if (worker.isConnected()) worker.send(answer);
    };
    source().then(
      (credentials) => reply({ type: TYPE, id, credentials }),
      (error: unknown) => {
        const e = GatewayError.is(error) ? error : new GatewayError('GW_ERR_AI_CREDENTIALS_FAILED', { params: { detail: 'the credential source failed' } });
        // Credential failures are gw's own codes; anything else travels as the generic one, message kept.
        const code = e.code in ERROR_CATALOGUE ? (e.code as ErrorCode) : 'GW_ERR_AI_CREDENTIALS_FAILED';
        reply({ type: TYPE, id, error: { code, message: e.message, status: e.status } });
      },
    );
  });
}
