/**
 * Turns a RouteEntity into one or more compiled sub-routes ("entries"). Like Kong's
 * traditional_compatible router, a route whose paths mix regex and prefix paths, or prefixes of
 * different lengths, is split so that each group gets its own priority
 * (docs/reference/kong.md#route-matching-and-priority).
 */
import type { RouteEntity, ServiceEntity } from '@gw/plugin-api';
import { compileAnchored, translatePcre } from './pcre.js';
import { routePriority, type Priority } from './priority.js';

export interface HostMatcher {
  kind: 'exact' | 'suffix' | 'prefix';
  /** `exact`: the host; `suffix`: `.example.com` for `*.example.com`; `prefix`: `example.` for `example.*`. */
  value: string;
  port: number | undefined;
}

export interface HeaderMatcher {
  name: string;
  exact: ReadonlySet<string>;
  regexes: readonly RegExp[];
}

export interface RegexPath {
  pattern: string;
  re: RegExp;
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
  snis: ReadonlySet<string> | undefined;
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

function compileHeaders(route: RouteEntity): HeaderMatcher[] {
  return Object.entries(route.headers ?? {}).map(([name, values]) => {
    const exact = new Set<string>();
    const regexes: RegExp[] = [];
    for (const v of values) {
      if (!v.startsWith('~*')) {
        exact.add(v.toLowerCase());
        continue;
      }
      try {
        const { source, flags } = translatePcre(v.slice(2));
        regexes.push(new RegExp(source, flags.includes('i') ? flags : flags + 'i'));
      } catch (err) {
        throw new Error(`${where(route)}: header '${name}': invalid regex: ${(err as Error).message}`);
      }
    }
    return { name: name.toLowerCase(), exact, regexes };
  });
}

function compileRegexPath(route: RouteEntity, path: string): RegexPath {
  const pattern = path.slice(1);
  try {
    return { pattern, re: compileAnchored(pattern) };
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
    // Kong ignores a trailing dot in SNIs (a FQDN's root label is not used for routing).
    snis: snis && new Set(snis.map((s) => s.toLowerCase().replace(/(.)\.$/, '$1'))),
    schemes: new Set(route.protocols.map((p) => p.toLowerCase())),
  };
  return pathGroups(route.paths).map((g) => {
    const regexes = g.regexes?.map((p) => compileRegexPath(route, p));
    const partial = { ...shared, prefixes: g.prefixes, regexes };
    return { ...partial, priority: routePriority(partial) };
  });
}
