/** A RequestContext stand-in with the consumer lookups key-auth uses, recording what the plugin did. */
import type { ClientRequest, ConsumerEntity, PluginServices, RequestContext, UpstreamRequest } from '@gw/plugin-api';
import type { KeyAuthConfig } from '../src/config.js';
import keyAuth, { type KeyAuthLocal, type KeyAuthState } from '../src/index.js';

export const alice: ConsumerEntity = { id: '11111111-1111-5111-8111-111111111111', username: 'alice', custom_id: 'A-1', created_at: 1 };
export const bob: ConsumerEntity = { id: '22222222-2222-5222-8222-222222222222', username: 'bob', created_at: 1 };
export const guest: ConsumerEntity = { id: '33333333-3333-5333-8333-333333333333', username: 'guest', created_at: 1 };

const credentials = new Map([
  ['alice-key', { consumer: alice, credentialId: 'cred-alice' }],
  ['bob key+1', { consumer: bob, credentialId: 'cred-bob' }],
]);

export interface FakeContext extends RequestContext {
  redacted: string[];
  authenticated: { consumer: ConsumerEntity; credentialId?: string }[];
}

export interface RequestShape {
  method?: string;
  headers?: Record<string, string | string[]>;
  query?: string;
}

export function fakeContext(shape: RequestShape = {}): FakeContext {
  let consumer: ConsumerEntity | null = null;
  const request = {
    method: shape.method ?? 'GET',
    scheme: 'http',
    host: '127.0.0.1',
    port: 8000,
    rawPath: '/v1/messages',
    path: '/v1/messages',
    query: shape.query ?? '',
    headers: shape.headers ?? {},
    clientIp: '127.0.0.1',
    uriCaptures: {},
    contentLength: undefined,
    body: () => Promise.reject(new Error('key-auth must not read the body')),
  } satisfies ClientRequest;
  const ctx: FakeContext = {
    id: 'req-1',
    startedAt: 0,
    request,
    route: { id: 'route-1' } as RequestContext['route'],
    service: null,
    get consumer() {
      return consumer;
    },
    credential: null,
    consumerGroups: [],
    errorFormat: 'kong',
    signal: new AbortController().signal,
    redacted: [],
    authenticated: [],
    authenticate(c, credentialId) {
      consumer = c;
      ctx.authenticated.push({ consumer: c, credentialId });
    },
    findConsumerByKey: (key) => credentials.get(key)?.consumer,
    findCredentialByKey: (key: string) => credentials.get(key),
    findConsumer: (x: string) => [alice, bob, guest].find((c) => c.id === x) ?? [alice, bob, guest].find((c) => c.username === x),
    setSerializeValue() {},
    setErrorFormat() {},
    redactHeader(name) {
      ctx.redacted.push(name);
    },
    now: () => 0,
    publish() {},
    read: () => undefined,
  };
  return ctx;
}

export const DEFAULTS: KeyAuthConfig = {
  key_names: ['apikey'],
  hide_credentials: false,
  anonymous: null,
  key_in_header: true,
  key_in_query: true,
  key_in_body: false,
  run_on_preflight: true,
  realm: null,
};

export const services: PluginServices = { logger: { info() {}, warn() {}, error() {} }, configDir: '/tmp', pluginId: 'key-auth-test', scope: { service: null, route: null, consumer: null, consumerGroup: null } };

export function instance(overrides: Partial<KeyAuthConfig> = {}) {
  const config = { ...DEFAULTS, ...overrides };
  const state = keyAuth.init!(config, services) as KeyAuthState;
  return { config, state };
}

/** Runs access (and, when it passes, upstream) the way core does; returns the error thrown, if any. */
export async function run(ctx: RequestContext, overrides: Partial<KeyAuthConfig> = {}, upstream?: UpstreamRequest) {
  const { config, state } = instance(overrides);
  const local: KeyAuthLocal = {};
  try {
    await keyAuth.access!({ ctx, config, state, local });
  } catch (error) {
    return { error, local, state, config };
  }
  if (upstream) await keyAuth.upstream!({ ctx, config, state, local, upstream });
  return { error: undefined, local, state, config };
}

export function upstreamOf(ctx: RequestContext): UpstreamRequest {
  const headers: Record<string, string | string[] | undefined> = {};
  for (const [k, v] of Object.entries(ctx.request.headers)) headers[k] = v;
  return { method: ctx.request.method, scheme: 'http', host: 'up', port: 80, path: ctx.request.path, query: ctx.request.query, headers, body: undefined };
}
