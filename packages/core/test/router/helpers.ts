import type { RouteEntity, ServiceEntity } from '@gw/plugin-api';
import type { MatchInput } from '../../src/router/index.js';
import { ROUTE_DEFAULTS } from '../support/config.js';

let seq = 0;

export function route(fields: Partial<RouteEntity> & { name: string }): RouteEntity {
  seq++;
  return {
    id: `route-${fields.name}`,
    service: { id: 'svc' },
    ...ROUTE_DEFAULTS,
    protocols: [...ROUTE_DEFAULTS.protocols],
    created_at: 1_700_000_000,
    updated_at: 1_700_000_000 + seq,
    ...fields,
  };
}

export function service(fields: Partial<ServiceEntity> = {}): ServiceEntity {
  return {
    id: 'svc',
    name: 'svc',
    protocol: 'http',
    host: 'upstream.test',
    port: 80,
    retries: 5,
    connect_timeout: 60000,
    write_timeout: 60000,
    read_timeout: 60000,
    enabled: true,
    created_at: 1_700_000_000,
    updated_at: 1_700_000_000,
    ...fields,
  };
}

export function req(fields: Partial<MatchInput> = {}): MatchInput {
  return { method: 'GET', host: 'gw.test', port: 80, path: '/', headers: {}, scheme: 'http', ...fields };
}
