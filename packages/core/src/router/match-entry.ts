/** Tests one compiled entry against a request: every configured field must match (fields are AND-ed). */
import type { Entry, HeaderMatcher, HostMatcher, NameMatcher } from './compile.js';
import type { MatchInput } from './types.js';

export interface PathHit {
  matchedPath: string | undefined;
  captures: Record<string, string>;
}

type Headers = ReadonlyMap<string, readonly string[]>;

function hostMatches(h: HostMatcher, host: string, port: number): boolean {
  // The request port only matters when the route host names one (`example.com:8080`).
  if (h.port !== undefined && h.port !== port) return false;
  if (h.kind === 'exact') return host === h.value;
  if (h.kind === 'suffix') return host.length > h.value.length && host.endsWith(h.value);
  return host.length > h.value.length && host.startsWith(h.value);
}

function sniMatches(m: NameMatcher, sni: string): boolean {
  if (m.kind === 'exact') return sni === m.value;
  if (m.kind === 'suffix') return sni.endsWith(m.value);
  return sni.startsWith(m.value);
}

function headerMatches(m: HeaderMatcher, headers: Headers): boolean {
  const values = headers.get(m.name);
  if (!values) return false;
  return values.some((v) => m.exact.has(v.toLowerCase()) || m.regexes.some((re) => re.test(v)));
}

/** Lower-cased header names, each with its values as a list. */
export function headerMap(input: MatchInput['headers']): Headers {
  const headers = typeof input === 'function' ? input() : input;
  const map = new Map<string, string[]>();
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const key = name.toLowerCase();
    const list = map.get(key) ?? [];
    map.set(key, list.concat(value));
  }
  return map;
}

function pathHit(e: Entry, path: string): PathHit | null {
  if (e.prefixes) {
    // Prefixes in one entry share a length, so at most one can match.
    const p = e.prefixes.find((prefix) => path.startsWith(prefix));
    return p === undefined ? null : { matchedPath: p, captures: {} };
  }
  if (e.regexes) {
    for (const { re } of e.regexes) {
      const m = re.exec(path);
      if (m) return { matchedPath: path.slice(0, m.end), captures: m.captures };
    }
    return null;
  }
  return { matchedPath: undefined, captures: {} };
}

export function matchEntry(e: Entry, input: MatchInput, headers: () => Headers): PathHit | null {
  if (!e.schemes.has(input.scheme)) return null;
  if (e.methods && !e.methods.has(input.method.toUpperCase())) return null;
  if (e.hosts && !e.hosts.some((h) => hostMatches(h, input.host, input.port))) return null;
  // Kong only checks SNIs on TLS connections; the host stands in when no SNI is known.
  if (e.snis && input.scheme === 'https') {
    const sni = (input.sni ?? input.host).toLowerCase();
    if (!e.snis.some((m) => sniMatches(m, sni))) return null;
  }
  if (e.headers.length > 0) {
    const map = headers();
    if (!e.headers.every((m) => headerMatches(m, map))) return null;
  }
  return pathHit(e, input.path);
}
