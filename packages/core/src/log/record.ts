/**
 * The Kong-shaped log record (`kong.log.serialize()`, basic serializer): built once per request after
 * the response finished (or the client went away), then handed to log plugins. Its `route` and `service`
 * are frozen, shared by every record of the loaded config (frozenEntity, below).
 */
import type { LogRecord, ResponseCut, TryRecord, RouteEntity, ServiceEntity, ConsumerEntity } from '@gw/plugin-api';
import { redactHeaders } from './redact.js';
import { applySerializeOp, type SerializeOp } from './serialize-values.js';

/** Everything the record is made of; core's request state provides it. Times are performance.now() ms. */
export interface LogInput {
  id: string;
  startedAt: number;
  method: string;
  scheme: string;
  host: string;
  port: number;
  /** The TLS session, on the TLS listener. */
  tls?: { version: string; cipher: string; client_verify: string };
  /** Raw path + `?query` as the client sent it. */
  uri: string;
  query: string;
  requestHeaders: Readonly<Record<string, string | string[] | undefined>>;
  requestSize: number;
  upstreamUri: string;
  upstreamStatus: number | undefined;
  status: number;
  responseHeaders: Readonly<Record<string, string | string[] | number | undefined>>;
  responseSize: number;
  route: Readonly<RouteEntity> | null;
  service: Readonly<ServiceEntity> | null;
  consumer: Readonly<ConsumerEntity> | null;
  credentialId: string | undefined;
  clientIp: string;
  source: 'kong' | 'upstream';
  clientAborted: boolean;
  /** The response was cut: by whom, why, when (a `timing` clock value) and the bytes sent by then. */
  cut: { by: ResponseCut['by']; reason: ResponseCut['reason']; time: number; bytes: number } | undefined;
  tries: TryRecord[];
  timing: {
    start: number;
    /** The (last) upstream request was started. */
    upstreamStart?: number;
    /** First byte of the upstream response head. */
    upstreamFirstByte?: number;
    /** Upstream response body fully received. */
    upstreamEnd?: number;
    /** gw produced its own response (source kong). */
    responded?: number;
    end: number;
  };
  redactedHeaders: ReadonlySet<string> | undefined;
  serializeOps: readonly SerializeOp[];
}

export function buildLogRecord(input: LogInput): LogRecord {
  const t = input.timing;
  const ms = (from: number | undefined, to: number | undefined): number | undefined =>
    from === undefined || to === undefined ? undefined : Math.max(0, Math.round(to - from));
  const record: LogRecord = {
    request: {
      id: input.id,
      uri: input.uri,
      url: `${input.scheme}://${input.host}:${input.port}${input.uri}`,
      querystring: parseQuery(input.query),
      method: input.method,
      headers: redactHeaders(input.requestHeaders, input.redactedHeaders),
      size: input.requestSize,
      ...(input.tls === undefined ? {} : { tls: input.tls }),
    },
    upstream_uri: input.upstreamUri,
    upstream_status: input.upstreamStatus === undefined ? '' : String(input.upstreamStatus),
    response: {
      status: input.status,
      headers: redactHeaders(input.responseHeaders, input.redactedHeaders),
      size: input.responseSize,
    },
    latencies: {
      kong: ms(t.start, t.upstreamStart ?? t.responded) ?? 0,
      proxy: ms(t.upstreamStart, t.upstreamFirstByte) ?? -1,
      request: ms(t.start, t.end) ?? 0,
      receive: ms(t.upstreamFirstByte, t.upstreamEnd) ?? 0,
    },
    tries: input.tries.map((tr) => ({ ...tr })),
    route: input.route === null ? null : frozenEntity(input.route),
    service: input.service === null ? null : frozenEntity(input.service),
    consumer: input.consumer === null ? null : consumerCopy(input.consumer),
    client_ip: input.clientIp,
    started_at: input.startedAt,
    source: input.source,
  };
  if (input.consumer !== null && input.credentialId !== undefined) {
    record.authenticated_entity = { id: input.credentialId, consumer_id: input.consumer.id };
  }
  if (input.clientAborted) record.client_aborted = true;
  const cut = input.cut;
  if (cut !== undefined) record.cut = { by: cut.by, reason: cut.reason, at: ms(t.start, cut.time) ?? 0, bytes: cut.bytes };
  for (const op of input.serializeOps) applyToRecord(record, op);
  return record;
}

/**
 * A route or service is never changed while its config is loaded (a reload makes new entity objects), so
 * every record of a config shares one deep-frozen copy of each: no copy per request, and a log plugin can
 * derive things from it once per config (keyed by the object). A record still can't change the
 * entity: the copy is frozen, and a serialize value under `route` or `service` gets a copy of its own.
 */
const frozenCopies = new WeakMap<object, Readonly<Record<string, unknown>>>();

function frozenEntity(entity: Readonly<RouteEntity> | Readonly<ServiceEntity>): Readonly<Record<string, unknown>> {
  let copy = frozenCopies.get(entity);
  if (copy === undefined) {
    let clone: Record<string, unknown>;
    try {
      clone = structuredClone(entity) as Record<string, unknown>;
    } catch {
      return { ...entity }; // not plain data (nothing gw loads makes one): a copy per record, as before
    }
    copy = deepFreeze(clone);
    frozenCopies.set(entity, copy);
  }
  return copy;
}

function deepFreeze<T extends object>(value: T): T {
  for (const member of Object.values(value)) if (typeof member === 'object' && member !== null) deepFreeze(member as object);
  return Object.freeze(value);
}

/** A serialize value applied to the record; one under the shared route or service gets a mutable copy first. */
export function applyToRecord(record: LogRecord, op: SerializeOp): void {
  const head = op.path[0];
  if (op.path.length > 1 && (head === 'route' || head === 'service')) {
    const entity = record[head];
    if (entity !== null && Object.isFrozen(entity)) record[head] = structuredClone(entity);
  }
  applySerializeOp(record, op);
}

/** The consumer entity without its credentials: keys are secrets. */
function consumerCopy(consumer: Readonly<ConsumerEntity>): Record<string, unknown> {
  const { keyauth_credentials: _credentials, ...rest } = consumer as ConsumerEntity & { keyauth_credentials?: unknown };
  return rest;
}

/** Like `ngx.req.get_uri_args`: `a=1&a=2&flag` → `{a: ['1','2'], flag: true}`. */
export function parseQuery(query: string): Record<string, string | string[] | true> {
  const out: Record<string, string | string[] | true> = {};
  if (query.length === 0) return out;
  for (const part of query.split('&')) {
    if (part.length === 0) continue;
    const eq = part.indexOf('=');
    const key = decode(eq === -1 ? part : part.slice(0, eq));
    if (key.length === 0) continue;
    const value: string | true = eq === -1 ? true : decode(part.slice(eq + 1));
    const prev = out[key];
    if (prev === undefined) out[key] = value;
    else if (Array.isArray(prev)) prev.push(String(value));
    else out[key] = [String(prev), String(value)];
  }
  return out;
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}
