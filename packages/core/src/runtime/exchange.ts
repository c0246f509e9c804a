/**
 * The state of one request as it moves through the pipeline, and the ClientRequest view plugins get of
 * it (their RequestContext is plugin-context.ts).
 */
import type { HeaderPolicy } from '../proxy/header-policy.js';
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import {
  GatewayError,
  type ClientRequest,
  type ConsumerEntity,
  type ErrorFormat,
  type HeaderMap,
  type LogRecord,
  type ResponseCut,
  type RequestContext,
  type RouteEntity,
  type ServiceEntity,
  type TryRecord,
  type UpstreamRequest,
} from '@gw/plugin-api';
import type { LogInput } from '../log/record.js';
import type { SerializeOp } from '../log/serialize-values.js';
import type { SentRequest } from '../proxy/send.js';
import { createAbortHook, type AbortHook } from './abort.js';
import { readBody } from './body.js';
import type { ConsumerIndex } from './consumer-index.js';
import type { PhaseArgs } from './phases.js';
import type { PlannedPlugin } from './plan.js';

/** A response cut as it happened; the log record's `cut` is made from it (log-input.ts). */
export interface CutMark {
  by: ResponseCut['by'];
  reason: ResponseCut['reason'];
  /** now() when it happened. */
  time: number;
  bytes: number;
  /** The upstream exchange, when it broke: its late failure (a read timeout) may be known only after the cut. */
  sent: SentRequest | undefined;
}

export interface Exchange {
  readonly id: string;
  readonly startedAt: number;
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  /** The client socket, kept because Node detaches it from `res` once the response finished. */
  readonly socket: Socket | null;
  /** Fires when the client went away before its response was finished. */
  readonly abort: AbortHook;
  readonly timing: LogInput['timing'];
  route: RouteEntity | null;
  uriCaptures: Record<string, string>;
  service: ServiceEntity | null;
  consumer: ConsumerEntity | null;
  credentialId: string | undefined;
  /** The plugins of this request; replaced by the consumer-scoped list after `authenticate`. */
  plugins: readonly PlannedPlugin[];
  /** Set when `authenticate` ran and the plugin list must be re-resolved. */
  consumerChanged: boolean;
  /** Per-plugin phase arguments (with the plugin's `local`), made when a plugin first runs and reused by its later phases. */
  locals: Map<string, PhaseArgs> | undefined;
  errorFormat: ErrorFormat;
  /** A plugin chose the format (setErrorFormat): a new plugin list after `authenticate` keeps it. */
  errorFormatChosen: boolean;
  redacted: Set<string> | undefined;
  /** Values plugins published on channels (RequestContext.publish), made on first publish. */
  channels: Map<symbol, unknown> | undefined;
  serializeOps: SerializeOp[];
  /** The record being handed to log plugins; serialize values set now go straight into it. */
  liveRecord: LogRecord | undefined;
  clientAborted: boolean;
  /** gw closed the client connection itself (upstream broke after the head was sent, a plugin failed, shutdown). */
  responseBroken: boolean;
  /** The response was cut (by the client, the upstream or gw): the first cause, for the log. */
  cut: CutMark | undefined;
  source: 'kong' | 'upstream';
  status: number;
  responseHeaders: HeaderMap;
  /** Socket bytes written before this response's head, to count the bytes it put on the wire; -1 when nobody logs it. */
  socketBytesAtStart: number;
  responseSize: number;
  upstream: UpstreamRequest | undefined;
  upstreamStatus: number | undefined;
  tries: TryRecord[];
  requestBodyBytes: number;
  /** The client body read through `request.body(limit)`. */
  bodyBytes: Uint8Array | undefined;
  /** The read of the client body under way (concurrent `body()` calls share it). */
  pendingBody: Promise<Uint8Array> | undefined;
  /** Bytes of the client body started flowing upstream: the body can't be read or re-sent any more. */
  bodyStreamed: boolean;
  /** The client went quiet mid-body for client_body_timeout (server/client-timeouts.ts): the answer is 408. */
  bodyTimedOut: boolean;
  /** client_body_timeout's bookkeeping: the socket's bytesRead when last seen, and since when it hasn't moved. */
  bodyBytesSeen: number;
  bodyQuietSince: number;
  /** Where client-timeouts keeps this request while its body is read; -1 when not watched. */
  bodyWatchIndex: number;
  client: ClientRequest;
  readonly consumers: ConsumerIndex;
  /** Which of gw's own headers to add (Kong's `headers`, `headers_upstream`). */
  readonly headerPolicy: Readonly<HeaderPolicy>;
  /** The plugins' view (`contextFor`), made when a plugin first runs. */
  ctx: RequestContext | undefined;
}

export interface ExchangeInit {
  req: IncomingMessage;
  res: ServerResponse;
  scheme: string;
  host: string;
  port: number;
  rawPath: string;
  path: string;
  query: string;
  consumers: ConsumerIndex;
  headerPolicy: Readonly<HeaderPolicy>;
}

export const now = (): number => performance.now();

// A random per-process prefix and a counter: unique like a random id without drawing random bytes per request.
const ID_PREFIX = randomBytes(8).toString('hex');
let idCounter = 0;

/** 32 hex digits, like Kong's request id: 16 random per process, then a 16-digit counter. */
export function newRequestId(): string {
  idCounter++;
  return ID_PREFIX + idCounter.toString(16).padStart(16, '0');
}

export function clientIpOf(req: IncomingMessage): string {
  const ip = req.socket.remoteAddress ?? '';
  return ip.startsWith('::ffff:') ? ip.slice(7) : ip;
}

// Per-request objects carry no accessors or closures of their own: methods and getters live on shared
// prototypes and reach the request through a field. A getter in an object literal made per request gets
// an accessor pair that V8 allocates in the old generation, which keeps the request alive across
// young-generation GCs (promoted, then swept by the far costlier full GC); plain data dies young.
const EXCHANGE = Symbol('exchange');
type ClientView = { -readonly [K in keyof ClientRequest]: ClientRequest[K] } & { [EXCHANGE]: Exchange };

const clientProto = {
  // eslint-disable-next-line no-restricted-syntax -- a shared prototype, made once
  get uriCaptures(): Record<string, string> {
    return (this as unknown as ClientView)[EXCHANGE].uriCaptures;
  },
  body(this: ClientView, limit: number): Promise<Uint8Array> {
    return clientBody(this[EXCHANGE], limit);
  },
};

async function clientBody(ex: Exchange, limit: number): Promise<Uint8Array> {
  if (ex.bodyBytes === undefined) {
    if (ex.bodyStreamed) throw new Error('the request body was already streamed upstream');
    const declared = ex.client.contentLength;
    if (declared !== undefined && declared > limit) throw new GatewayError('GW_ERR_BODY_TOO_LARGE');
    ex.pendingBody ??= readBody(ex.req, limit, ex.abort, (n) => (ex.requestBodyBytes += n));
    ex.bodyBytes = await ex.pendingBody;
  }
  if (ex.bodyBytes.byteLength > limit) throw new GatewayError('GW_ERR_BODY_TOO_LARGE');
  return ex.bodyBytes;
}

export function createExchange(init: ExchangeInit): Exchange {
  const { req } = init;
  const cl = req.headers['content-length'];
  const contentLength = cl === undefined ? undefined : Number(cl);
  const client = Object.create(clientProto) as ClientView;
  client.method = req.method ?? 'GET';
  client.scheme = init.scheme;
  client.host = init.host;
  client.port = init.port;
  client.rawPath = init.rawPath;
  client.path = init.path;
  client.query = init.query;
  client.headers = req.headers;
  client.clientIp = clientIpOf(req);
  client.contentLength = Number.isFinite(contentLength) ? contentLength : undefined;
  const ex: Exchange = {
    id: newRequestId(),
    startedAt: Date.now(),
    req,
    res: init.res,
    socket: init.res.socket,
    abort: createAbortHook(),
    timing: { start: now(), end: 0 },
    route: null,
    uriCaptures: {},
    service: null,
    consumer: null,
    credentialId: undefined,
    plugins: [],
    consumerChanged: false,
    locals: undefined,
    errorFormat: 'kong',
    errorFormatChosen: false,
    redacted: undefined,
    channels: undefined,
    serializeOps: [],
    liveRecord: undefined,
    clientAborted: false,
    responseBroken: false,
    cut: undefined,
    source: 'kong',
    status: 0,
    responseHeaders: {},
    socketBytesAtStart: -1,
    responseSize: 0,
    upstream: undefined,
    upstreamStatus: undefined,
    tries: [],
    requestBodyBytes: 0,
    bodyBytes: undefined,
    pendingBody: undefined,
    bodyStreamed: false,
    bodyTimedOut: false,
    bodyBytesSeen: 0,
    bodyQuietSince: 0,
    bodyWatchIndex: -1,
    client,
    consumers: init.consumers,
    headerPolicy: init.headerPolicy,
    ctx: undefined,
  };
  client[EXCHANGE] = ex;
  return ex;
}
