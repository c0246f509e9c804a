/**
 * Turns a RouteEntity into one or more compiled sub-routes ("entries"). Like Kong's
 * traditional_compatible router, a route whose paths mix regex and prefix paths, or prefixes of
 * different lengths, is split so that each group gets its own priority
 * (docs/reference/kong.md#route-matching-and-priority).
 */
import type { RouteEntity, ServiceEntity } from '@gw/plugin-api';
import { compileRouteRegex, type RouteRegex } from './regex.js';
import { routePriority, type Priority } from './priority.js';

export interface HostMatcher {
  kind: 'exact' | 'suffix' | 'prefix';
  /** `exact`: the host; `suffix`: `.example.com` for `*.example.com`; `prefix`: `example.` for `example.*`. */
  value: string;
  port: number | undefined;
}

/** An SNI: exact, `*.example.com` (suffix `.example.com`) or `example.*` (prefix `example.`). */
export interface NameMatcher {
  kind: 'exact' | 'suffix' | 'prefix';
  value: string;
}

export interface HeaderMatcher {
  name: string;
  exact: ReadonlySet<string>;
  /** `~*` values: case-insensitive, unanchored, as Kong's `any(lower(http.headers.x)) ~ "…"`. */
  regexes: readonly RouteRegex[];
}

export interface RegexPath {
  pattern: string;
  re: RouteRegex;
}

export interface Entry {
  route: RouteEntity;
  service: ServiceEntity | null;
  /** Position in the final evaluation order; lower is tried first. */
  rank: number;
  methods: ReadonlySet<string> | undefined;
  hosts: readonly HostMatcher[] | undefined;
  /** All hosts exact: the entry can be indexed by host name. */
  plainHostsOnly: boolean;
  headers: readonly HeaderMatcher[];
  snis: readonly NameMatcher[] | undefined;
  schemes: ReadonlySet<string>;
  prefixes: readonly string[] | undefined;
  regexes: readonly RegexPath[] | undefined;
  priority: Priority;
}

function where(route: RouteEntity): string {
  return `route ${route.name ?? route.id}`;
}

export function parseHost(route: RouteEntity, raw: string): HostMatcher {
  const lower = raw.toLowerCase();
  const m = /^(.*?)(?::(\d+))?$/.exec(lower)!;
  const [host, portText] = [m[1], m[2]];
  const port = portText === undefined ? undefined : Number(portText);
  const stars = host.split('*').length - 1;
  if (stars > 1) throw new Error(`${where(route)}: invalid wildcard: must have at most one wildcard ('${raw}')`);
  if (stars === 0) return { kind: 'exact', value: host, port };
  if (host.startsWith('*.')) return { kind: 'suffix', value: host.slice(1), port };
  if (host.endsWith('.*')) return { kind: 'prefix', value: host.slice(0, -1), port };
  throw new Error(`${where(route)}: invalid wildcard: must be placed at leftmost or rightmost label ('${raw}')`);
}

/** Kong's `sni_val_transform`: wildcards at either end; a trailing dot (a FQDN's root) is ignored. */
function parseSni(raw: string): NameMatcher {
  const lower = raw.toLowerCase();
  if (lower.endsWith('*')) return { kind: 'prefix', value: lower.slice(0, -1) };
  const name = lower.length > 1 && lower.endsWith('.') ? lower.slice(0, -1) : lower;
  if (name.startsWith('*')) return { kind: 'suffix', value: name.slice(1) };
  return { kind: 'exact', value: name };
}

/** Kong matches header names with `-` and `_` alike (`replace_dashes_lower`); requests carry dashes. */
const headerName = (name: string) => name.toLowerCase().replace(/_/g, '-');

function compileHeaders(route: RouteEntity): HeaderMatcher[] {
  return Object.entries(route.headers ?? {}).map(([name, values]) => {
    const exact = new Set<string>();
    const regexes: RouteRegex[] = [];
    for (const v of values) {
      if (!v.startsWith('~*')) {
        exact.add(v.toLowerCase());
        continue;
      }
      try {
        regexes.push(compileRouteRegex(v.slice(2), { anchored: false, caseInsensitive: true }));
      } catch (err) {
        throw new Error(`${where(route)}: header '${name}': invalid regex: ${(err as Error).message}`);
      }
    }
    return { name: headerName(name), exact, regexes };
  });
}

function compileRegexPath(route: RouteEntity, path: string): RegexPath {
  const pattern = path.slice(1);
  try {
    return { pattern, re: compileRouteRegex(pattern, { anchored: true }) };
  } catch (err) {
    throw new Error(`${where(route)}: invalid regex: '${path}': ${(err as Error).message}`);
  }
}

/** Kong's path groups: all regex paths together, prefix paths grouped by length; in first-seen order. */
function pathGroups(paths: readonly string[] | undefined): Array<{ prefixes?: string[]; regexes?: string[] }> {
  if (!paths || paths.length === 0) return [{}];
  const groups = new Map<string, { prefixes?: string[]; regexes?: string[] }>();
  for (const p of paths) {
    const regex = p.startsWith('~');
    const key = regex ? 'regex' : `len:${p.length}`;
    const g = groups.get(key) ?? {};
    groups.set(key, g);
    if (regex) (g.regexes ??= []).push(p);
    else (g.prefixes ??= []).push(p);
  }
  return [...groups.values()];
}

function nonEmpty<T>(xs: readonly T[] | undefined): readonly T[] | undefined {
  return xs && xs.length > 0 ? xs : undefined;
}

/** Compiles a route into its entries; `rank` is assigned later, once all entries are sorted. */
export function compileRoute(route: RouteEntity, service: ServiceEntity | null): Entry[] {
  const methods = nonEmpty(route.methods);
  const hosts = nonEmpty(route.hosts)?.map((h) => parseHost(route, h));
  const headers = compileHeaders(route);
  const snis = nonEmpty(route.snis);
  const shared = {
    route,
    service,
    rank: 0,
    methods: methods && new Set(methods.map((m) => m.toUpperCase())),
    hosts,
    plainHostsOnly: hosts !== undefined && hosts.every((h) => h.kind === 'exact'),
    headers,
    snis: snis?.map(parseSni),
    schemes: new Set(route.protocols.map((p) => p.toLowerCase())),
  };
  return pathGroups(route.paths).map((g) => {
    const regexes = g.regexes?.map((p) => compileRegexPath(route, p));
    const partial = { ...shared, prefixes: g.prefixes, regexes };
    return { ...partial, priority: routePriority(partial) };
  });
}
