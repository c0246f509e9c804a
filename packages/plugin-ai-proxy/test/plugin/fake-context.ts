import { GatewayError, type ErrorFormat, type HeaderMap, type RequestContext, type UpstreamRequest } from '@gw/plugin-api';

export interface FakeRequest {
  method?: string;
  path: string;
  query?: string;
  headers?: HeaderMap;
  body: string | Uint8Array;
}

/** A RequestContext with just what ai-proxy uses, recording what the plugin asked of it. */
export function fakeContext(request: FakeRequest) {
  const calls: string[] = [];
  const redacted: string[] = [];
  const serialized: Record<string, unknown> = {};
  let bodyLimit: number | undefined;
  let clock = 1000;
  const channels = new Map<symbol, unknown>();
  const bytes = typeof request.body === 'string' ? new TextEncoder().encode(request.body) : request.body;
  const ctx = {
    id: 'req-1',
    startedAt: Date.now(),
    request: {
      method: request.method ?? 'POST',
      scheme: 'http',
      host: 'gw.local',
      port: 8000,
      rawPath: request.path,
      path: request.path,
      query: request.query ?? '',
      headers: request.headers ?? {},
      clientIp: '127.0.0.1',
      uriCaptures: {},
      contentLength: bytes.byteLength,
      async body(limit: number) {
        calls.push('body');
        bodyLimit = limit;
        if (bytes.byteLength > limit) throw new GatewayError('GW_ERR_BODY_TOO_LARGE');
        return bytes;
      },
    },
    route: {} as RequestContext['route'],
    service: null,
    consumer: null,
    signal: new AbortController().signal,
    authenticate() {},
    findConsumerByKey: () => undefined,
    setSerializeValue(key: string, value: unknown) {
      serialized[key] = value;
    },
    setErrorFormat(format: ErrorFormat) {
      calls.push(`errorFormat:${format}`);
    },
    redactHeader(name: string) {
      redacted.push(name);
    },
    now: () => (clock += 5),
    publish(channel: { key: symbol }, value: unknown) {
      channels.set(channel.key, value);
    },
    read: (channel: { key: symbol }) => channels.get(channel.key),
  } as unknown as RequestContext;
  const upstream: UpstreamRequest = {
    method: ctx.request.method,
    scheme: 'http',
    host: 'placeholder',
    port: 80,
    path: request.path,
    query: request.query ?? '',
    headers: { ...(request.headers ?? {}) },
    body: undefined,
  };
  return { ctx, upstream, calls, redacted, serialized, channels, bodyLimit: () => bodyLimit };
}
