/**
 * One request's spans, built live as the phases run:
 *
 *   kong (SERVER)                       access → log: the request as gw saw it (Kong's root span name)
 *   └─ kong.balancer / chat <model>     each upstream try (CLIENT), from its upstream phase to the next
 *      │                                try or the response's end; an AI call's try carries gen_ai.*
 *      └─ gw.stream                     a streamed answer, from the upstream's head to the last byte
 *
 * The try span's context goes upstream in traceparent. Handlers never throw into the request: the
 * plugin catches and counts (plugin.ts).
 */
import { performance } from 'node:perf_hooks';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes, type Span, type Tracer } from '@opentelemetry/api';
import { AI_CALL, type AiCall, type LogRecord, type RequestContext, type ResponseHead, type UpstreamRequest } from '@gw/plugin-api';
import type { Propagation } from './config.js';
import { messageAttributes, payloadFinishReasons } from './content.js';
import { extract, inject } from './propagation.js';
import { GEN_AI, OPERATIONS, PROVIDER_NAMES } from './semconv.js';

export interface TracingInstance {
  tracer: Tracer;
  propagation: Propagation;
  traceIdHeader: string | null;
  captureContent: boolean;
}

export interface RequestSpans {
  root?: Span;
  tries?: Span[];
  extractedFormat?: 'w3c' | undefined;
  /** When the upstream's response head arrived (ms since epoch). */
  headAt?: number;
}

/** Wall-clock ms of the request's monotonic clock (the SDK's own time base: timeOrigin + performance.now()). */
const wall = (ctx: RequestContext) => performance.timeOrigin + ctx.now();

export function startRequest(t: TracingInstance, ctx: RequestContext, spans: RequestSpans): void {
  const { context, format } = extract(ctx.request.headers, t.propagation);
  spans.extractedFormat = format;
  const r = ctx.request;
  const url = `${r.scheme}://${r.host}:${r.port}${r.rawPath}`;
  spans.root = t.tracer.startSpan(
    'kong',
    {
      kind: SpanKind.SERVER,
      startTime: ctx.startedAt,
      attributes: {
        // Kong's names
        'http.method': r.method,
        'http.url': url,
        'http.host': r.host,
        'http.scheme': r.scheme,
        'http.flavor': '1.1',
        'net.peer.ip': r.clientIp,
        'kong.request.id': ctx.id,
        // the current HTTP conventions (the query is left out everywhere: it can carry a key)
        'http.request.method': r.method,
        'url.full': url,
        'url.scheme': r.scheme,
        'url.path': r.rawPath,
        'server.address': r.host,
        'server.port': r.port,
        'client.address': r.clientIp,
        'network.protocol.version': '1.1',
      },
    },
    context,
  );
}

export function startTry(t: TracingInstance, ctx: RequestContext, spans: RequestSpans, upstream: UpstreamRequest): void {
  const root = spans.root;
  if (root === undefined) return;
  const tries = (spans.tries ??= []);
  const now = wall(ctx);
  // The upstream phase runs again before a retry: the previous try failed.
  const previous = tries.at(-1);
  if (previous !== undefined) {
    previous.setStatus({ code: SpanStatusCode.ERROR, message: 'try failed' });
    previous.end(now);
  }
  const span = t.tracer.startSpan(
    'kong.balancer',
    {
      kind: SpanKind.CLIENT,
      startTime: now,
      attributes: {
        try_count: tries.length + 1,
        'net.peer.name': upstream.host,
        'server.address': upstream.host,
        'server.port': upstream.port,
        'http.request.method': upstream.method,
        'url.full': `${upstream.scheme}://${upstream.host}:${upstream.port}${upstream.path}`,
      },
    },
    trace.setSpan(ROOT_CONTEXT, root),
  );
  tries.push(span);
  inject(upstream.headers, span.spanContext(), t.propagation, spans.extractedFormat);
}

export function onResponseHead(t: TracingInstance, ctx: RequestContext, spans: RequestSpans, response: ResponseHead): void {
  spans.headAt = wall(ctx);
  if (t.traceIdHeader !== null && spans.root !== undefined) {
    response.headers[t.traceIdHeader.toLowerCase()] = spans.root.spanContext().traceId;
  }
}

export function finishRequest(t: TracingInstance, ctx: RequestContext, spans: RequestSpans, record: LogRecord): void {
  // A plugin that ran first answered in access (key-auth's 401): the request still gets its span.
  if (spans.root === undefined) startRequest(t, ctx, spans);
  const root = spans.root;
  if (root === undefined) return;
  const end = Math.max(wall(ctx), ctx.startedAt);
  const tries = spans.tries ?? [];
  const call = ctx.read(AI_CALL);

  // Every try but the last ended when the next began; the record has what each met.
  tries.forEach((span, i) => {
    const seen = record.tries[i];
    if (seen !== undefined) {
      span.setAttributes({ 'net.peer.ip': seen.ip, 'net.peer.port': seen.port, 'network.peer.address': seen.ip, 'network.peer.port': seen.port });
      if (seen.state !== undefined) {
        span.setAttributes(seen.code === undefined ? {} : { 'http.status_code': seen.code, 'http.response.status_code': seen.code });
        span.setStatus({ code: SpanStatusCode.ERROR, message: seen.state });
      }
    }
  });
  const last = tries.at(-1);
  if (last !== undefined) {
    const status = record.upstream_status === '' ? undefined : Number(record.upstream_status);
    if (status !== undefined && Number.isFinite(status)) last.setAttributes({ 'http.status_code': status, 'http.response.status_code': status });
    if (call !== undefined) {
      const operation = OPERATIONS[call.routeType] ?? call.routeType.split('/').pop() ?? call.routeType;
      last.updateName(`${operation} ${call.model}`);
      last.setAttributes(genAiAttributes(t, call, record, operation));
    }
    if (record.cut?.by === 'upstream') last.setStatus({ code: SpanStatusCode.ERROR, message: `cut: ${record.cut.reason}` });
    if (call?.stream === true && spans.headAt !== undefined) streamSpan(t, last, spans.headAt, end, record);
    last.end(end);
  }

  const status = record.response.status;
  const route = record.route;
  const attributes: Attributes = {
    'http.status_code': status,
    'http.response.status_code': status,
    'http.route': Array.isArray(route?.paths) ? String(route.paths[0] ?? '') : '',
  };
  if (route !== null) attributes['gw.route'] = text(route.name) ?? text(route.id) ?? '';
  if (record.service !== null) attributes['gw.service'] = text(record.service.name) ?? text(record.service.host) ?? '';
  if (record.consumer !== null && typeof record.consumer.username === 'string') attributes['gw.consumer'] = record.consumer.username;
  if (record.cut !== undefined) Object.assign(attributes, { 'gw.cut.by': record.cut.by, 'gw.cut.reason': record.cut.reason });
  root.setAttributes(attributes);
  // A server span is an error for a 5xx (the HTTP conventions), or when the upstream or gw cut the answer.
  if (status >= 500 || (record.cut !== undefined && record.cut.by !== 'client')) {
    root.setStatus({ code: SpanStatusCode.ERROR, message: record.cut === undefined ? String(status) : `cut by ${record.cut.by}: ${record.cut.reason}` });
  }
  root.end(end);
}

function genAiAttributes(t: TracingInstance, call: AiCall, record: LogRecord, operation: string): Attributes {
  const report = call.usage();
  const logged = (record.ai as { proxy?: { meta?: Record<string, unknown>; usage?: Record<string, unknown>; payload?: { request?: unknown; response?: unknown } } } | undefined)?.proxy;
  const provider = PROVIDER_NAMES[call.provider] ?? call.provider;
  const { input, output, cacheRead, cacheWrite } = report.tokens;
  const attributes: Attributes = {
    [GEN_AI.operation]: operation,
    [GEN_AI.provider]: provider,
    [GEN_AI.system]: provider,
    [GEN_AI.requestModel]: call.model,
    [GEN_AI.requestStream]: call.stream,
    // The conventions' input count includes cached tokens; the cache ones are given apart too.
    [GEN_AI.inputTokens]: input + cacheRead + cacheWrite,
    [GEN_AI.outputTokens]: output,
    [GEN_AI.cacheReadTokens]: cacheRead,
    [GEN_AI.cacheCreationTokens]: cacheWrite,
  };
  const responseModel = report.responseModel ?? (typeof logged?.meta?.response_model === 'string' ? logged.meta.response_model : undefined);
  if (responseModel !== undefined) attributes[GEN_AI.responseModel] = responseModel;
  if (report.responseId !== undefined) attributes[GEN_AI.responseId] = report.responseId;
  const finish = report.finishReasons ?? payloadFinishReasons(logged?.payload?.response);
  if (finish !== undefined && finish.length > 0) attributes[GEN_AI.finishReasons] = [...finish];
  const firstToken = report.timeToFirstTokenMs ?? (typeof logged?.usage?.time_to_first_token === 'number' ? logged.usage.time_to_first_token : undefined);
  if (call.stream && firstToken !== undefined) attributes[GEN_AI.timeToFirstChunk] = firstToken / 1000;
  if (call.clientModel !== undefined && call.clientModel !== call.model) attributes['gw.ai.client_model'] = call.clientModel;
  if (report.costUsd !== undefined) attributes['gw.ai.cost_usd'] = report.costUsd;
  if (report.estimated.input || report.estimated.output) attributes['gw.ai.usage_estimated'] = true;
  if (t.captureContent && logged?.payload !== undefined) Object.assign(attributes, messageAttributes(logged.payload.request, logged.payload.response));
  return attributes;
}

function streamSpan(t: TracingInstance, parent: Span, start: number, end: number, record: LogRecord): void {
  const span = t.tracer.startSpan(
    'gw.stream',
    { kind: SpanKind.INTERNAL, startTime: start, attributes: { 'gw.stream.bytes': record.response.size } },
    trace.setSpan(ROOT_CONTEXT, parent),
  );
  if (record.cut !== undefined) {
    span.setAttributes({ 'gw.cut.by': record.cut.by, 'gw.cut.reason': record.cut.reason });
    if (record.cut.by !== 'client') span.setStatus({ code: SpanStatusCode.ERROR, message: `cut by ${record.cut.by}: ${record.cut.reason}` });
  }
  span.end(Math.max(start, end));
}

/** A record's name field, when it is one (decK names are strings; the record's shape is open). */
function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
