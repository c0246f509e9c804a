// The loopback HTTP/1.1 server: route, verify SigV4, validate, pick a scenario, answer.
import { createHash, randomUUID } from 'node:crypto';
import { assumeRole, assumeRoleRequest, error as stsError } from './sts.js';
import { isCreateTokenRequest, roleCredentials, roleCredentialsRequest, ssoOidc, type SsoOidcClient } from './sso.js';
import type { BedrockError } from './errors.js';
import { UNKNOWN_OPERATION, sendError, validationError } from './errors.js';
import { markerScenario } from './conversation.js';
import { countTokens } from './count-tokens.js';
import { flatHeaders, parseJson, readBody, sendJson } from './http-io.js';
import { estimateTokens } from './messages.js';
import type { Operation } from './route.js';
import { route } from './route.js';
import type { Scenario } from './scenarios.js';
import { SCENARIOS, isScenarioName, plan, toScenario } from './scenarios.js';
import type { Credentials } from './sigv4.js';
import { verifySigV4 } from './sigv4.js';
import { writeEventStream } from './stream.js';
import type { AnyRequest, AnyResponse } from './transport.js';
import { end, listen, writeHead } from './transport.js';
import { validateAnthropicBody } from './validate.js';
import { answerConverse } from './converse/answer.js';
import { answerEmbeddings } from './embeddings/answer.js';
import { embeddingFamily } from './embeddings/models.js';

export interface EmulatorOptions {
  port?: number;
  host?: string;
  credentials?: Credentials[];
  region?: string;
  defaultScenario?: string;
  /** Bearer tokens the SSO portal (sso.ts) accepts, as if `aws sso login` had cached them; none by default. */
  ssoAccessTokens?: string[];
  /** SSO-OIDC clients whose refresh tokens CreateToken (sso.ts) trades for new access tokens; none by default. */
  ssoOidcClients?: SsoOidcClient[];
}

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: Buffer;
  json: unknown;
  modelId: string;
  operation: Operation;
  signatureValid: boolean;
  scenario: string;
}

export interface Emulator {
  url: string;
  port: number;
  received: ReceivedRequest[];
  queue(...scenarios: (string | Scenario)[]): void;
  close(): Promise<void>;
}

const EXAMPLE_PAIR: Credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };

/**
 * AWS's documentation example key pair (the one the wire fixtures are signed with), as the default
 * accepted list. Callers read it both as that list (`DEFAULT_CREDENTIALS[0]`) and as the pair itself
 * (`DEFAULT_CREDENTIALS.accessKeyId`), so it is both. Not frozen: the AWS SDK tags the credentials
 * object it is given.
 */
export const DEFAULT_CREDENTIALS: readonly Credentials[] & Credentials = Object.assign([{ ...EXAMPLE_PAIR }], EXAMPLE_PAIR);

export async function startBedrockEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  // Copied, so later changes to the caller's objects do not change what is accepted.
  const credentials = (options.credentials ?? [EXAMPLE_PAIR]).map(({ accessKeyId, secretAccessKey, sessionToken }) => ({ accessKeyId, secretAccessKey, sessionToken }));
  const region = options.region ?? 'us-east-1';
  const defaultScenario = toScenario(options.defaultScenario ?? 'text');
  const received: ReceivedRequest[] = [];
  const queued: Scenario[] = [];
  const throttledOnce = new Set<string>();
  const closing = new AbortController();
  const ssoTokens = [...(options.ssoAccessTokens ?? [])];
  const createToken = ssoOidc(options.ssoOidcClients ?? []);

  /** Queued first, then the request's marker, then the default; a misspelt marker is an error, not a silent default. */
  function pickScenario(json: Record<string, unknown>): Scenario | BedrockError {
    return pickMarked(markerScenario(json.messages));
  }

  function pickMarked(marked: string | undefined): Scenario | BedrockError {
    const next = queued.shift();
    if (next) return next;
    if (marked === undefined) return defaultScenario;
    if (isScenarioName(marked)) return { name: marked };
    return validationError(`gw-bedrock-emulator: unknown scenario "${marked}"; known: ${SCENARIOS.join(', ')}`);
  }

  /** `throttle_once`: whether this exact body was throttled before; remembered when the scenario throttles it now. */
  function throttledBefore(body: Buffer, scenario: Scenario): boolean {
    const bodyHash = createHash('sha256').update(body).digest('hex');
    const before = throttledOnce.has(bodyHash);
    if (scenario.name === 'throttle_once') throttledOnce.add(bodyHash);
    return before;
  }

  /** STS AssumeRole (sts.ts): signed by base credentials; what it issues is accepted by Bedrock from then on. */
  function answerSts(req: AnyRequest, res: AnyResponse, method: string, url: string, body: Buffer, form: URLSearchParams) {
    const headers = flatHeaders(req);
    const operation = form.get('Action') === 'AssumeRole' ? 'assume-role' : 'assume-role-with-web-identity';
    received.push({ method, path: url, headers, body, json: undefined, modelId: '', operation, signatureValid: false, scenario: '' });
    // AssumeRoleWithWebIdentity is unsigned: the token is the proof.
    const auth = form.get('Action') === 'AssumeRoleWithWebIdentity' ? ({ ok: true } as const) : verifySigV4({ method, url, headers, body }, { credentials, region, service: 'sts' });
    const answer = auth.ok ? assumeRole(form) : stsError(auth.status, auth.type, auth.message);
    if (auth.ok) received.at(-1)!.signatureValid = true;
    if (answer.issued) credentials.push({ ...answer.issued, sessionToken: answer.issued.sessionToken });
    writeHead(res, answer.status, { 'content-type': 'text/xml', 'content-length': Buffer.byteLength(answer.xml) });
    end(res, answer.xml);
  }

  /** SSO GetRoleCredentials (sso.ts): what it issues is accepted by Bedrock from then on, as after STS. */
  function answerSso(req: AnyRequest, res: AnyResponse, method: string, url: string, body: Buffer, query: URLSearchParams) {
    const headers = flatHeaders(req);
    const answer = roleCredentials(query, headers['x-amz-sso_bearer_token'], ssoTokens);
    // Unsigned, like AssumeRoleWithWebIdentity: the bearer token is the proof (signatureValid = accepted).
    received.push({ method, path: url.split('?')[0]!, headers, body, json: undefined, modelId: '', operation: 'get-role-credentials', signatureValid: answer.issued !== undefined, scenario: '' });
    if (answer.issued) credentials.push({ ...answer.issued, sessionToken: answer.issued.sessionToken });
    sendSsoJson(res, answer);
  }

  /** SSO-OIDC CreateToken (sso.ts): the access token it issues is accepted by the portal from then on. */
  function answerCreateToken(req: AnyRequest, res: AnyResponse, method: string, url: string, body: Buffer) {
    const answer = createToken(body);
    received.push({ method, path: url.split('?')[0]!, headers: flatHeaders(req), body, json: parseJson(body), modelId: '', operation: 'create-token', signatureValid: answer.accessToken !== undefined, scenario: '' });
    if (answer.accessToken !== undefined) ssoTokens.push(answer.accessToken);
    sendSsoJson(res, answer);
  }

  function sendSsoJson(res: AnyResponse, answer: { status: number; json: string; errorType?: string }) {
    const errorType: Record<string, string> = answer.errorType ? { 'x-amzn-errortype': answer.errorType } : {};
    writeHead(res, answer.status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(answer.json), 'x-amzn-requestid': randomUUID(), ...errorType });
    end(res, answer.json);
  }

  async function handle(req: AnyRequest, res: AnyResponse) {
    const startedAt = Date.now();
    const requestId = randomUUID();
    const body = await readBody(req);
    const method = req.method ?? 'GET';
    const url = req.url ?? '/';
    const form = assumeRoleRequest(method, url, body);
    if (form !== undefined) return answerSts(req, res, method, url, body, form);
    const sso = roleCredentialsRequest(method, url);
    if (sso !== undefined) return answerSso(req, res, method, url, body, sso);
    if (isCreateTokenRequest(method, url)) return answerCreateToken(req, res, method, url, body);
    const { operation, modelId, path } = route(method, url);
    const headers = flatHeaders(req);
    const json = parseJson(body);
    const record: ReceivedRequest = { method, path, headers, body, json, modelId, operation, signatureValid: false, scenario: '' };
    received.push(record);

    const auth = verifySigV4({ method, url, headers, body }, { credentials, region });
    if (!auth.ok) return sendError(res, requestId, auth);
    record.signatureValid = true;

    if (operation === 'other') return sendError(res, requestId, UNKNOWN_OPERATION);
    if (operation === 'count-tokens') {
      const counted = countTokens(json);
      return 'inputTokens' in counted ? sendJson(res, requestId, counted) : sendError(res, requestId, counted);
    }

    if (operation === 'converse' || operation === 'converse-stream') {
      return answerConverse({
        res,
        requestId,
        streaming: operation === 'converse-stream',
        modelId,
        json,
        bodyLength: body.length,
        startedAt,
        signal: closing.signal,
        pick: pickScenario,
        throttledBefore: (scenario) => throttledBefore(body, scenario),
        chose: (name) => (record.scenario = name),
      });
    }

    const family = embeddingFamily(modelId);
    if (family !== undefined && operation === 'invoke') {
      return answerEmbeddings({
        res,
        requestId,
        modelId,
        family,
        json,
        startedAt,
        pick: pickMarked,
        throttledBefore: (scenario) => throttledBefore(body, scenario),
        chose: (name) => (record.scenario = name),
      });
    }
    if (family !== undefined) return sendError(res, requestId, validationError('The model is unsupported for streaming.'));

    const problem = json === undefined ? 'Malformed input request: #: expected type: JSONObject, found: String, please reformat your input and try again.' : validateAnthropicBody(json);
    if (problem) return sendError(res, requestId, validationError(problem));
    const request = json as Record<string, unknown>;

    const scenario = pickScenario(request);
    if (!('name' in scenario)) return sendError(res, requestId, scenario);
    record.scenario = scenario.name;
    const planned = plan(scenario, {
      body: request,
      modelId,
      inputTokens: estimateTokens(body.length),
      streaming: operation === 'invoke-stream',
      throttledBefore: throttledBefore(body, scenario),
    });

    if (planned.kind === 'hang') return; // close() tears the connection down
    if (planned.kind === 'error') return sendError(res, requestId, planned.error);
    if (operation === 'invoke-stream') {
      return writeEventStream(res, requestId, { ...planned, startedAt, signal: closing.signal });
    }
    if (planned.delayMs > 0) await new Promise((r) => setTimeout(r, planned.delayMs));
    const { usage } = planned.message;
    const metricHeaders: Record<string, string | number> = {
      'x-amzn-bedrock-invocation-latency': Date.now() - startedAt,
      'x-amzn-bedrock-input-token-count': usage.input_tokens,
      'x-amzn-bedrock-output-token-count': usage.output_tokens,
    };
    if (usage.cache_read_input_tokens || usage.cache_creation_input_tokens) {
      metricHeaders['x-amzn-bedrock-cache-read-input-token-count'] = usage.cache_read_input_tokens;
      metricHeaders['x-amzn-bedrock-cache-write-input-token-count'] = usage.cache_creation_input_tokens;
    }
    sendJson(res, requestId, planned.message, metricHeaders);
  }

  const listening = await listen(
    (req, res) => {
      handle(req, res).catch(() => {
        if (!res.headersSent) sendError(res, randomUUID(), { status: 500, type: 'InternalServerException', message: 'The server encountered an internal error while processing the request.' });
        else res.destroy();
      });
    },
    options.port ?? 0,
    options.host ?? '127.0.0.1',
  );
  const { address } = listening;
  const hostForUrl = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  return {
    url: `http://${hostForUrl}:${address.port}`,
    port: address.port,
    received,
    queue(...scenarios) {
      queued.push(...scenarios.map(toScenario));
    },
    close() {
      closing.abort();
      return listening.close();
    },
  };
}
