/** Hand-built GatewayConfig objects for tests (no config loader involved). */
import type { ConsumerEntity, ConsumerGroupEntity, KeyAuthCredential, RouteEntity, ServiceEntity } from '@gw/plugin-api';
import type { ConsumerWithCredentials, GatewayConfig, PluginEntity } from '../../src/config/model.js';

let seq = 0;
const nextId = (kind: string) => `00000000-0000-4000-8000-${kind.padStart(4, '0').slice(0, 4)}${String(++seq).padStart(8, '0')}`;

export function service(fields: Partial<ServiceEntity> & { port: number }): ServiceEntity {
  return {
    id: fields.id ?? nextId('5e'),
    protocol: 'http',
    host: '127.0.0.1',
    retries: 5,
    connect_timeout: 60_000,
    write_timeout: 60_000,
    read_timeout: 60_000,
    enabled: true,
    created_at: 1,
    updated_at: 1,
    ...fields,
  };
}

/** Kong's route defaults, as the config pipeline fills them in. */
export const ROUTE_DEFAULTS = {
  protocols: ['http', 'https'],
  strip_path: true,
  preserve_host: false,
  regex_priority: 0,
  path_handling: 'v0',
  https_redirect_status_code: 426,
  request_buffering: true,
  response_buffering: true,
} as const satisfies Partial<RouteEntity>;

export function route(svc: ServiceEntity | null, fields: Partial<RouteEntity>): RouteEntity {
  return {
    id: fields.id ?? nextId('40'),
    service: svc === null ? null : { id: svc.id },
    ...ROUTE_DEFAULTS,
    protocols: [...ROUTE_DEFAULTS.protocols],
    created_at: 1,
    updated_at: 1,
    ...fields,
  };
}

export function consumer(username: string, keys: string[] = [], groups: ConsumerGroupEntity[] = []): ConsumerWithCredentials {
  const c: ConsumerEntity = { id: nextId('c0'), username, created_at: 1 };
  const keyauth_credentials: KeyAuthCredential[] = keys.map((key) => ({ id: nextId('cd'), key }));
  const sorted = [...groups].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { ...c, keyauth_credentials, ...(groups.length > 0 ? { consumer_groups: sorted } : {}) };
}

export function consumerGroup(name: string): ConsumerGroupEntity {
  return { id: nextId('6e'), name, created_at: 1 };
}

export interface Scope {
  route?: RouteEntity;
  service?: ServiceEntity;
  consumer?: ConsumerEntity;
  group?: ConsumerGroupEntity;
}

export function plugin(name: string, config: Record<string, unknown> = {}, scope: Scope = {}): PluginEntity {
  return {
    id: nextId('p1'),
    name,
    enabled: true,
    protocols: ['grpc', 'grpcs', 'http', 'https'],
    config,
    service: scope.service ? { id: scope.service.id } : null,
    route: scope.route ? { id: scope.route.id } : null,
    consumer: scope.consumer ? { id: scope.consumer.id } : null,
    consumer_group: scope.group ? { id: scope.group.id } : null,
    created_at: 1,
    location: { file: 'kong.yaml', line: 1, column: 1, path: 'plugins[0]' },
  };
}

export function gatewayConfig(parts: {
  services?: ServiceEntity[];
  routes?: RouteEntity[];
  consumers?: ConsumerWithCredentials[];
  consumerGroups?: ConsumerGroupEntity[];
  plugins?: PluginEntity[];
  upstreamTls?: GatewayConfig['upstreamTls'];
}): GatewayConfig {
  return {
    services: parts.services ?? [],
    routes: parts.routes ?? [],
    consumers: parts.consumers ?? [],
    consumerGroups: parts.consumerGroups ?? [],
    plugins: parts.plugins ?? [],
    files: ['kong.yaml'],
    baseDir: process.cwd(),
    locations: new Map(),
    upstreamTls: parts.upstreamTls ?? new Map(),
  };
}
