import { describe, expect, it } from 'vitest';
import { createHmac } from 'node:crypto';
import type { RequestContext, ResponseHead, UpstreamRequest } from '@gw/plugin-api';
import headerStamp from '../src/index.js';
import { renderStamp, signStamp } from '../src/stamp.js';

type Config = Parameters<NonNullable<typeof headerStamp.validate>>[0];

const defaults: Config = {
  header: 'x-gw-stamp',
  value: '{id} {route} {latency}ms',
  override: false,
  upstream_header: null,
  signing_key: null,
  log_key: 'header_stamp',
};

/** Just enough of a request context for this plugin: it reads ids and names and sets serialize values. */
function context(consumer: { username?: string } | null = null) {
  const serialized: Record<string, unknown> = {};
  const ctx = {
    id: 'req-1',
    startedAt: Date.now(),
    request: { method: 'POST' },
    route: { id: 'route-id', name: 'chat' },
    service: { id: 'service-id', name: 'bedrock' },
    consumer,
    setSerializeValue: (key: string, value: unknown) => (serialized[key] = value),
  } as unknown as RequestContext;
  return { ctx, serialized };
}

async function instance(config: Config) {
  const info: string[] = [];
  const logger = { info: (m: string) => info.push(m), warn() {}, error() {} };
  const state = await headerStamp.init!(config, { logger, configDir: '/tmp', pluginId: 'p-1' });
  return { state, info };
}

describe('header-stamp plugin', () => {
  it('is a valid definition with a required header', () => {
    expect(headerStamp.name).toBe('header-stamp');
    expect(headerStamp.configSchema.required).toEqual(['header']);
    expect((headerStamp.configSchema.properties as Record<string, Record<string, unknown>>).signing_key['x-secret']).toBe(true);
  });

  it('stamps the response, records the stamp and counts it', async () => {
    const config = { ...defaults, value: '{route}/{service}/{consumer}/{method}/{status}' };
    const { state, info } = await instance(config);
    const { ctx, serialized } = context();
    const response: ResponseHead = { status: 201, headers: {}, source: 'upstream' };
    headerStamp.responseHeaders!({ ctx, config, state, local: {}, response });
    expect(response.headers['x-gw-stamp']).toBe('chat/bedrock/-/POST/201');
    expect(serialized).toEqual({ header_stamp: 'chat/bedrock/-/POST/201' });
    await headerStamp.close!(state);
    expect(info).toEqual(['header-stamp p-1: stamped 1 responses']);
  });

  it("keeps the upstream's header unless override is set", async () => {
    for (const [override, expected] of [[false, 'from-upstream'], [true, 'chat']] as const) {
      const config = { ...defaults, value: '{route}', override };
      const { state } = await instance(config);
      const response: ResponseHead = { status: 200, headers: { 'x-gw-stamp': 'from-upstream' }, source: 'upstream' };
      headerStamp.responseHeaders!({ ctx: context().ctx, config, state, local: {}, response });
      expect(response.headers['x-gw-stamp']).toBe(expected);
    }
  });

  it('sends the same signed stamp upstream and to the client', async () => {
    const config = { ...defaults, value: '{id} {consumer}', upstream_header: 'X-Request-Stamp', signing_key: 'k'.repeat(16) };
    const { state } = await instance(config);
    const { ctx } = context({ username: 'alice' });
    const local = {};
    const upstream = { headers: {} } as UpstreamRequest;
    await headerStamp.upstream!({ ctx, config, state, local, upstream });
    const sig = createHmac('sha256', 'k'.repeat(16)).update('req-1 alice').digest('base64url');
    expect(upstream.headers['x-request-stamp']).toBe(`req-1 alice; sig=${sig}`);
    const response: ResponseHead = { status: 200, headers: {}, source: 'upstream' };
    headerStamp.responseHeaders!({ ctx, config, state, local, response });
    expect(response.headers['x-gw-stamp']).toBe(`req-1 alice; sig=${sig}`);
  });

  it('rejects headers gw manages, and response-only placeholders in an upstream stamp', () => {
    expect(headerStamp.validate!({ ...defaults, value: '{id}', header: 'Content-Length', upstream_header: 'host' })).toEqual([
      { path: 'header', message: "'Content-Length' is managed by gw and cannot be stamped" },
      { path: 'upstream_header', message: "'host' is managed by gw and cannot be stamped" },
    ]);
    expect(headerStamp.validate!({ ...defaults, upstream_header: 'x-up' })).toEqual([
      { path: 'value', message: '{status} and {latency} are unknown before the upstream answers; drop upstream_header or them' },
    ]);
    expect(headerStamp.validate!(defaults)).toEqual([]);
  });
});

describe('stamp helpers', () => {
  it('fills known placeholders, leaves others, and marks missing values', () => {
    expect(renderStamp('{id}|{route}|{nope}|{consumer}', { id: 'a', route: '', consumer: undefined })).toBe('a|-|{nope}|-');
  });

  it('signs with HMAC-SHA256', () => {
    expect(signStamp('v', 'secret-key')).toBe(`v; sig=${createHmac('sha256', 'secret-key').update('v').digest('base64url')}`);
  });
});
