/**
 * Kong's own router tests, as data (kong-conformance/README.md): each case's routes go through gw's
 * router, its request through the same Host, path and query handling the server applies, and the
 * answer must be what Kong's test expects — or, for a case marked with a `difference`, what
 * docs/kong-differences.md says gw does instead.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { RouteEntity, ServiceEntity } from '@gw/plugin-api';
import { createRouter, normalizePath, splitHostHeader, upstreamUri, type RouteMatch } from '../../src/router/index.js';
import { routerInput } from '../../src/runtime/router-input.js';
import { ROUTE_DEFAULTS } from '../support/config.js';

interface DataRoute {
  id?: string;
  name?: string;
  protocols: string[];
  methods?: string[];
  hosts?: string[];
  paths?: string[];
  snis?: string[];
  headers?: Record<string, string[]>;
  strip_path: boolean;
  preserve_host?: boolean;
  regex_priority: number;
  path_handling: 'v0' | 'v1';
  service: { path?: string; enabled?: boolean } | null;
}

interface Expectation {
  route?: number | null;
  matched?: boolean;
  service?: null;
  captures?: Record<string, string> | null;
  capture?: Record<string, string | null>;
  upstream_uri?: string;
  upstream_uri_pattern?: string;
  prefix?: string | null;
}

interface Case {
  source: string;
  describe: string[];
  it: string;
  name: string;
  routes: number;
  request: { method: string; uri: string; scheme: 'http' | 'https'; port?: number; sni?: string; headers?: Record<string, string | string[]> };
  expect: Expectation;
  /** A deliberate difference (docs/kong-differences.md): why, and what gw does instead. */
  difference?: { reason: string; gw: Expectation };
}

interface DataFile {
  source: string;
  kind: 'unit' | 'integration';
  route_sets: DataRoute[][];
  cases: Case[];
}

const load = (name: string): DataFile => JSON.parse(readFileSync(new URL(`./kong-conformance/${name}`, import.meta.url), 'utf8'));

/** Kong's proxy listener in its tests (the integration spec); the unit spec sets no port. */
const DEFAULT_PORT = 8000;

function build(file: DataFile, set: number) {
  const data = file.route_sets[set];
  const services: ServiceEntity[] = [];
  const routes: RouteEntity[] = data.map((r, i) => {
    let service: RouteEntity['service'] = null;
    if (r.service !== null) {
      const id = `svc-${i}`;
      services.push({
        id, name: id, protocol: 'http', host: 'upstream.test', port: 80, retries: 5, connect_timeout: 60000,
        write_timeout: 60000, read_timeout: 60000, enabled: r.service.enabled ?? true, created_at: 0, updated_at: 0,
        ...(r.service.path !== undefined ? { path: r.service.path } : {}),
      });
      service = { id };
    }
    return {
      ...ROUTE_DEFAULTS,
      id: r.id ?? `route-${i}`,
      name: r.name,
      service,
      protocols: r.protocols,
      methods: r.methods,
      hosts: r.hosts,
      paths: r.paths,
      snis: r.snis,
      headers: r.headers,
      strip_path: r.strip_path,
      preserve_host: r.preserve_host ?? false,
      regex_priority: r.regex_priority,
      path_handling: r.path_handling,
      created_at: 0,
      updated_at: 0,
    };
  });
  // The unit spec gives every route an id, and Kong breaks ties by it; the integration spec's routes
  // get random ids from Kong, so their tests cannot depend on ties: gw uses file order for them.
  const declaredIds = file.kind === 'unit' ? new Set(routes.map((r) => r.id)) : new Set<string>();
  // As the gateway builds it: routes of a disabled service left out.
  return { routes, router: createRouter({ ...routerInput({ routes, services }), declaredIds }) };
}

function run(file: DataFile, c: Case, built: ReturnType<typeof build>): RouteMatch | null {
  const q = c.request.uri.indexOf('?');
  const rawPath = q === -1 ? c.request.uri : c.request.uri.slice(0, q);
  const headers = c.request.headers ?? {};
  const hostHeader = headers.host;
  const { host, port } = splitHostHeader(typeof hostHeader === 'string' ? hostHeader : undefined, c.request.port ?? DEFAULT_PORT);
  return built.router.match({
    method: c.request.method,
    host,
    port,
    path: normalizePath(rawPath),
    headers,
    scheme: c.request.scheme,
    sni: c.request.sni,
  });
}

function check(c: Case, m: RouteMatch | null, e: Expectation, routes: RouteEntity[]): void {
  const label = `${c.name}\n(${c.source})`;
  if (e.route === null) expect(m?.route.id ?? null, label).toBeNull();
  if (typeof e.route === 'number') expect(m?.route.id, label).toBe(routes[e.route].id);
  if (e.matched) expect(m, label).not.toBeNull();
  if (m === null) return;
  if (e.service === null) expect(m.service, label).toBeNull();
  // Kong gives no uri_captures when the regex has no groups (only the whole match).
  const groups = Object.fromEntries(Object.entries(m.uriCaptures).filter(([k]) => k !== '0'));
  if (e.captures === null) expect(groups, label).toEqual({});
  else if (e.captures !== undefined) expect(m.uriCaptures, label).toEqual(e.captures);
  for (const [k, v] of Object.entries(e.capture ?? {})) expect(m.uriCaptures[k] ?? null, `${label} capture ${k}`).toBe(v);
  const q = c.request.uri.indexOf('?');
  const uri = upstreamUri(m.upstreamPath, q === -1 ? undefined : c.request.uri.slice(q + 1));
  if (e.upstream_uri !== undefined) expect(uri, label).toBe(e.upstream_uri);
  if (e.upstream_uri_pattern !== undefined) expect(uri, label).toMatch(new RegExp(e.upstream_uri_pattern));
  if (e.prefix !== undefined) expect(m.route.strip_path ? m.matchedPath ?? null : null, label).toBe(e.prefix);
}

for (const name of ['unit-spec.json', 'integration-spec.json']) {
  const file = load(name);
  describe(`Kong conformance: ${file.source}`, () => {
    const routers = new Map<number, ReturnType<typeof build>>();
    const get = (set: number) => routers.get(set) ?? routers.set(set, build(file, set)).get(set)!;
    it.each(file.cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
      const built = get(c.routes);
      const m = run(file, c, built);
      check(c, m, c.difference ? c.difference.gw : c.expect, built.routes);
    });
  });
}
