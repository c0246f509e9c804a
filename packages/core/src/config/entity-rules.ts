/**
 * Kong's per-entity rules that JSON Schema can't express (services.lua, routes.lua entity_checks,
 * typedefs for paths and hosts), plus gw's explicit "not supported" messages.
 */
import { isRecord } from './collect.js';
import type { Entity, Report } from './collect.js';
// The router's own compiler: a regex accepted here is exactly one the router can run.
import { checkRouteRegex, compileRouteRegex } from '../router/regex.js';

const SUPPORTED_PROTOCOLS = new Set(['http', 'https']);

const UNSUPPORTED_CONSUMER_FIELDS: Record<string, string> = {
  basicauth_credentials: 'basic-auth credentials are not supported by gw (use keyauth_credentials)',
  jwt_secrets: 'jwt secrets are not supported by gw (use keyauth_credentials)',
  hmacauth_credentials: 'hmac-auth credentials are not supported by gw (use keyauth_credentials)',
  oauth2_credentials: 'oauth2 credentials are not supported by gw (use keyauth_credentials)',
  mtls_auth_credentials: 'mtls-auth credentials are a Kong Enterprise feature gw does not support',
  acls: 'acls are not supported by gw',
};

export interface ParsedUrl {
  protocol: string;
  host: string;
  port: number;
  path?: string;
}

/** Kong's `url` shorthand: with no port, https ⇒ 443 and http ⇒ 80; no path when the url has none. */
export function parseServiceUrl(url: string): ParsedUrl | undefined {
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]*)([^?#]*)$/.exec(url);
  if (!m) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  const protocol = m[1].toLowerCase();
  if (!parsed.hostname) return undefined;
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = parsed.port ? Number(parsed.port) : protocol === 'https' || protocol === 'wss' || protocol === 'grpcs' ? 443 : 80;
  return { protocol, host, port, path: m[3] ? m[3] : undefined };
}

export function checkService(s: Entity, report: Report): void {
  const raw = s.raw;
  const o = s.origin;
  if (raw.name === undefined && raw.id === undefined) report(o, ['name'], "one of 'name' or 'id' is required", { at: [] });
  if (typeof raw.url === 'string') {
    const u = parseServiceUrl(raw.url);
    if (!u) report(o, ['url'], 'invalid url');
    // decK: protocol, host, port and path, when given, override the url's parts.
    else if (raw.protocol === undefined && !SUPPORTED_PROTOCOLS.has(u.protocol)) {
      report(o, ['url'], `protocol '${u.protocol}' is not supported by gw (only http and https)`);
    }
  } else if (raw.url === undefined && raw.host === undefined) {
    report(o, ['host'], 'required field missing', { at: [] });
  }
  if (typeof raw.protocol === 'string' && !SUPPORTED_PROTOCOLS.has(raw.protocol)) {
    report(o, ['protocol'], `protocol '${raw.protocol}' is not supported by gw (only http and https)`);
  }
  if (typeof raw.path === 'string' && !raw.path.startsWith('/')) report(o, ['path'], 'should start with: /');
  // services.lua entity_checks: the upstream TLS fields only mean something for https (and tls, a
  // protocol gw refuses above, so only http is left to check).
  const url = typeof raw.url === 'string' ? parseServiceUrl(raw.url) : undefined;
  const protocol = typeof raw.protocol === 'string' ? raw.protocol : url?.protocol ?? 'http';
  if (protocol === 'http') {
    for (const f of ['client_certificate', 'tls_verify', 'tls_verify_depth', 'ca_certificates']) {
      if (raw[f] !== undefined && raw[f] !== null) report(o, [f], `value must be null when protocol is '${protocol}' (Kong uses it for https only)`, { key: true });
    }
  }
  if (raw.filter_chains !== undefined) report(o, ['filter_chains'], FILTER_CHAINS, { key: true });
  if (raw.tls_sans !== undefined) {
    report(o, ['tls_sans'], 'tls_sans (extra names to verify the upstream certificate against) are a Kong Enterprise feature gw does not support', { key: true });
  }
}

const FILTER_CHAINS = 'filter_chains (WebAssembly) are not supported by gw';

export function checkRoute(r: Entity, report: Report): void {
  const raw = r.raw;
  const o = r.origin;
  if (raw.name === undefined && raw.id === undefined) report(o, ['name'], "one of 'name' or 'id' is required", { at: [] });
  const protocols = Array.isArray(raw.protocols) ? raw.protocols.filter((p): p is string => typeof p === 'string') : ['http', 'https'];
  protocols.forEach((p, i) => {
    if (!SUPPORTED_PROTOCOLS.has(p)) report(o, ['protocols', i], `protocol '${p}' is not supported by gw (only http and https)`);
  });
  if (raw.filter_chains !== undefined) report(o, ['filter_chains'], FILTER_CHAINS, { key: true });
  for (const f of ['sources', 'destinations']) if (raw[f] !== undefined) report(o, [f], `${f} apply to stream routes, which gw does not support`, { key: true });
  if (raw.expression !== undefined || raw.priority !== undefined) {
    report(o, [raw.expression !== undefined ? 'expression' : 'priority'], "the 'expressions' router is not supported by gw; use paths, hosts, methods and headers", { key: true });
  }
  const has = (f: string) => (Array.isArray(raw[f]) ? (raw[f] as unknown[]).length > 0 : isRecord(raw[f]) && Object.keys(raw[f] as object).length > 0);
  const http = protocols.includes('http');
  // An expression route (refused above) matches by its expression: no echo about missing matchers.
  if (raw.expression === undefined && protocols.length > 0 && (http || protocols.includes('https'))) {
    const fields = http ? ['methods', 'hosts', 'headers', 'paths'] : ['methods', 'hosts', 'headers', 'paths', 'snis'];
    if (!fields.some(has)) {
      report(o, [], `must set one of ${fields.map((f) => `'${f}'`).join(', ')} when 'protocols' is '${http ? 'http' : 'https'}'`);
    }
  }
  if (has('snis') && !protocols.includes('https')) report(o, ['snis'], "'snis' can only be set when 'protocols' is 'https'", { key: true });
  if (Array.isArray(raw.paths)) raw.paths.forEach((p, i) => typeof p === 'string' && checkPath(p, (m) => report(o, ['paths', i], m)));
  if (Array.isArray(raw.hosts)) raw.hosts.forEach((h, i) => typeof h === 'string' && checkHost(h, (m) => report(o, ['hosts', i], m)));
  if (isRecord(raw.headers)) {
    for (const name of Object.keys(raw.headers)) {
      if (name.toLowerCase() === 'host') report(o, ['headers', name], "cannot contain 'host' header, which must be specified in the 'hosts' attribute", { key: true });
      else if (!/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(name)) report(o, ['headers', name], 'invalid header name', { key: true });
      const values = (raw.headers as Record<string, unknown>)[name];
      if (Array.isArray(values)) values.forEach((v, j) => typeof v === 'string' && v.startsWith('~*') && checkHeaderRegex(v.slice(2), (m) => report(o, ['headers', name, j], m)));
    }
  }
}

/** Kong's path typedef: `/prefix` (normalized, no empty segments) or `~/regex` (must compile). */
export function checkPath(p: string, fail: (message: string) => void): void {
  if (p.startsWith('~')) {
    if (!p.startsWith('~/')) return fail('must start with "/" or "~/"');
    try {
      checkRouteRegex(p.slice(1));
    } catch (err) {
      fail(`invalid regex: '${p.slice(1)}' (${(err as Error).message})`);
    }
    return;
  }
  if (!p.startsWith('/')) return fail('must start with "/" or "~/"');
  if (p.includes('//')) return fail('must not have empty segments');
  const normalized = normalizePath(p);
  if (normalized !== p) fail(`non-normalized path, consider use '${normalized}' instead`);
}

/** A `~*` header value: a case-insensitive regex searched anywhere in the header's value. */
function checkHeaderRegex(pattern: string, fail: (message: string) => void): void {
  try {
    compileRouteRegex(pattern, { anchored: false, caseInsensitive: true });
  } catch (err) {
    fail(`invalid regex: '${pattern}' (${(err as Error).message})`);
  }
}

/** RFC 3986 normalization as Kong applies it to prefix paths: %XX upper-cased, unreserved decoded, dot segments removed. */
export function normalizePath(p: string): string {
  const decoded = p.replace(/%([0-9a-fA-F]{2})/g, (_, hex: string) => {
    const c = String.fromCharCode(parseInt(hex, 16));
    return /[A-Za-z0-9\-._~]/.test(c) ? c : `%${hex.toUpperCase()}`;
  });
  const out: string[] = [];
  const segments = decoded.split('/');
  segments.forEach((seg, i) => {
    if (seg === '.') {
      if (i === segments.length - 1) out.push('');
    } else if (seg === '..') {
      if (out.length > 1) out.pop();
      if (i === segments.length - 1) out.push('');
    } else out.push(seg);
  });
  return out.join('/') || '/';
}

/** At most one `*`, as the leftmost or rightmost label; optional `:port`. */
export function checkHost(host: string, fail: (message: string) => void): void {
  const stars = host.split('*').length - 1;
  if (stars > 1) return fail('invalid wildcard: must have at most one wildcard');
  const name = host.replace(/:\d+$/, '');
  if (stars === 1 && !name.startsWith('*.') && !name.endsWith('.*')) return fail('invalid wildcard: must be placed at leftmost or rightmost label');
  if (!/^[A-Za-z0-9*]([A-Za-z0-9_.*-]*[A-Za-z0-9*])?(:\d{1,5})?$/.test(host) && !/^\[[0-9a-fA-F:.]+\](:\d{1,5})?$/.test(host)) fail('invalid hostname');
}

export function checkConsumer(c: Entity, report: Report): void {
  const raw = c.raw;
  if (raw.username === undefined && raw.custom_id === undefined) {
    report(c.origin, ['username'], "at least one of these fields must be non-empty: 'custom_id', 'username'", { at: [] });
  }
  for (const [field, message] of Object.entries(UNSUPPORTED_CONSUMER_FIELDS)) {
    if (raw[field] !== undefined) report(c.origin, [field], message, { key: true });
  }
  if (Array.isArray(raw.keyauth_credentials)) {
    raw.keyauth_credentials.forEach((cred, i) => {
      if (isRecord(cred) && typeof cred.ttl === 'number' && cred.ttl > 0) {
        report(c.origin, ['keyauth_credentials', i, 'ttl'], 'a credential ttl is not supported by gw: the key would not expire (gw has no database to expire it from); remove the credential from the file when it should stop working');
      }
    });
  }
}
