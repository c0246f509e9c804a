// The loopback HTTP/1.1 server: check the bearer key, validate as OpenAI does, pick a scenario, answer.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import { authError, errorBody, invalid, sendError, type ApiError } from './errors.js';
import { validateChat, validateEmbeddings } from './validate.js';
import { buildAnswer, completionId, completionJson, lastUserText, snapshotOf, streamEvents, type Envelope } from './chat.js';
import { embeddingsJson } from './embeddings.js';
import { SCRIPTED_ERRORS, STREAM_ERROR, isScenarioName, markerScenario, type ScenarioName } from './scenarios.js';

export interface OpenAiEmulatorOptions {
  port?: number;
  /** Bearer keys accepted (`Authorization: Bearer <key>`); DEFAULT_API_KEY when unset. */
  apiKeys?: string[];
  /** Milliseconds between stream events of the `slow` scenario. */
  slowIntervalMs?: number;
}

export interface ReceivedRequest {
  method: string;
  path: string;
  query: string;
  headers: Record<string, string>;
  body: Buffer;
  json: unknown;
  scenario: ScenarioName | undefined;
}

export interface OpenAiEmulator {
  url: string;
  port: number;
  received: ReceivedRequest[];
  /** Scenarios for the next requests, in order (they win over markers). */
  queue(...scenarios: ScenarioName[]): void;
  close(): Promise<void>;
}

export const DEFAULT_API_KEY = 'sk-emulator-0123456789abcdef';

type Json = Record<string, unknown>;

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function parse(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
}

const RATE_HEADERS = { 'x-ratelimit-limit-requests': '10000', 'x-ratelimit-remaining-requests': '9999', 'x-ratelimit-reset-requests': '6ms' };

export async function startOpenAiEmulator(options: OpenAiEmulatorOptions = {}): Promise<OpenAiEmulator> {
  const keys = new Set(options.apiKeys ?? [DEFAULT_API_KEY]);
  const slow = options.slowIntervalMs ?? 100;
  const received: ReceivedRequest[] = [];
  const queued: ScenarioName[] = [];
  const sockets = new Set<Socket>();

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const requestId = `req_${randomBytes(16).toString('hex')}`;
    const url = new URL(req.url ?? '/', 'http://emulator');
    const body = await readBody(req);
    const json = parse(body);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : value;
    const record: ReceivedRequest = { method: req.method ?? '', path: url.pathname, query: url.search.slice(1), headers, body, json, scenario: undefined };
    received.push(record);
    const fail = (error: ApiError) => sendError(res, error, requestId);

    const route = url.pathname === '/v1/chat/completions' ? 'chat' : url.pathname === '/v1/embeddings' ? 'embeddings' : undefined;
    if (route === undefined) return fail({ status: 404, type: 'invalid_request_error', message: `Invalid URL (${req.method} ${url.pathname})` });
    if (req.method !== 'POST') return fail({ status: 405, type: 'invalid_request_error', message: `Invalid method for URL (${req.method} ${url.pathname})` });
    const key = /^Bearer\s+(.+)$/i.exec(headers.authorization ?? '')?.[1]?.trim();
    if (key === undefined || !keys.has(key)) return fail(authError(headers.authorization));
    if (json === undefined) return fail(invalid('We could not parse the JSON body of your request. (HINT: This likely means you aren\'t using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)'));

    if (route === 'embeddings') {
      const problem = validateEmbeddings(json);
      if (problem !== undefined) return fail(problem);
      const answer = embeddingsJson(json as Json);
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(answer), 'x-request-id': requestId, 'openai-model': String((json as Json).model), ...RATE_HEADERS });
      return res.end(answer);
    }

    const problem = validateChat(json);
    if (problem !== undefined) return fail(problem);
    const request = json as Json;
    const model = request.model as string;
    if (model.startsWith('unknown-')) {
      return fail({ status: 404, type: 'invalid_request_error', code: 'model_not_found', message: `The model \`${model}\` does not exist or you do not have access to it.` });
    }
    const marker = markerScenario(lastUserText(request.messages as unknown[]));
    const scenario: ScenarioName = queued.shift() ?? (marker !== undefined && isScenarioName(marker) ? marker : 'text');
    record.scenario = scenario;
    const scripted = SCRIPTED_ERRORS[scenario];
    if (scripted !== undefined) return fail(scripted);

    const answer = buildAnswer(request, scenario);
    const envelope: Envelope = { id: completionId(), created: Math.floor(Date.now() / 1000), model: snapshotOf(model) };
    const common = { 'x-request-id': requestId, 'openai-processing-ms': '12', 'openai-version': '2020-10-01', ...RATE_HEADERS };
    if (request.stream !== true) {
      const text = completionJson(answer, envelope);
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...common });
      return res.end(text);
    }
    const streamOptions = request.stream_options as Json | null | undefined;
    const events = streamEvents(answer, envelope, streamOptions?.include_usage === true);
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', ...common });
    if (scenario === 'stream_error' || scenario === 'stream_cut') {
      res.write(events.slice(0, 3).join(''));
      if (scenario === 'stream_cut') {
        // Leave without a last chunk or [DONE]: the connection just ends.
        setTimeout(() => res.socket?.destroy(), 20);
        return;
      }
      res.end(`data: ${errorBody(STREAM_ERROR)}\n\n`);
      return;
    }
    if (scenario !== 'slow') return res.end(events.join(''));
    for (const event of events) {
      if (res.destroyed) return;
      res.write(event);
      await new Promise((resolve) => setTimeout(resolve, slow));
    }
    res.end();
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    received,
    queue: (...scenarios) => queued.push(...scenarios),
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
