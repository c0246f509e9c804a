#!/usr/bin/env node
// Turns extract.lua's records (one JSON line per Kong `it(...)`) into conformance cases: the routes,
// one request, and what Kong's test expects. Usage (see ../README.md):
//   node build.mjs <source spec path> unit|integration < cases.jsonl > ../<name>.json
// Cases that do not apply to gw (stream routes, gRPC, expressions, sources/destinations, tests of Kong
// internals) are left out and counted on stderr by reason.
import { readFileSync } from 'node:fs';

/** A record decoded from extract.lua's JSON: a Kong spec table, whatever fields its test gave it. */
/** @typedef {Record<string, any>} Rec */

const [source, kind, differencesFile] = process.argv.slice(2);
// Deliberate differences (docs/kong-differences.md), keyed by case name: { reason, gw: expectation }.
const differences = differencesFile ? JSON.parse(readFileSync(differencesFile, 'utf8')) : {};
const lines = readFileSync(0, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
const skipped = new Map();
const skip = (/** @type {string} */ reason) => skipped.set(reason, (skipped.get(reason) ?? 0) + 1);

const list = (/** @type {any} */ v) => (Array.isArray(v) ? v : v === undefined || v === null ? [] : Object.values(v));
const isEmpty = (/** @type {unknown} */ v) => v === undefined || v === null || (typeof v === 'object' && Object.keys(v).length === 0);

/**
 * A Kong route (and its service) as a decK-style route; `undefined` if gw has no equivalent.
 * @param {Rec | undefined} r @param {Rec | null | undefined | 'null'} service @param {{ integration: boolean }} options
 * @returns {Rec | undefined}
 */
function toRoute(r, service, { integration }) {
  if (!r) return undefined;
  for (const f of ['expression', 'sources', 'destinations', 'priority']) if (!isEmpty(r[f])) return { na: `route field ${f}` };
  const protocols = list(r.protocols);
  if (protocols.some((p) => !['http', 'https'].includes(p))) return { na: `protocols ${protocols.join(',')}` };
  /** @type {Rec} */
  const out = {};
  if (!integration && r.id !== undefined) out.id = r.id;
  if (r.name !== undefined) out.name = r.name;
  out.protocols = protocols.length ? protocols : integration ? ['http'] : ['http', 'https'];
  for (const f of ['methods', 'hosts', 'paths', 'snis']) if (!isEmpty(r[f])) out[f] = list(r[f]);
  if (!isEmpty(r.headers)) out.headers = Object.fromEntries(Object.entries(r.headers).map(([k, v]) => [k, list(v)]));
  // Kong's schema defaults apply to inserted routes; the unit spec's bare tables have none (nil strip_path: no strip).
  out.strip_path = r.strip_path ?? integration;
  if (r.preserve_host !== undefined) out.preserve_host = r.preserve_host;
  out.regex_priority = r.regex_priority ?? 0;
  out.path_handling = r.path_handling ?? 'v0';
  if (service === null || service === undefined || service === 'null') out.service = null;
  else {
    /** @type {Rec} */
    const s = {};
    if (typeof service.url === 'string') {
      if (/^grpcs?:/.test(service.url)) return { na: 'grpc service' };
      const u = new URL(service.url);
      if (u.pathname !== '/' || service.url.endsWith('/')) s.path = u.pathname;
    }
    // Only what the router reads; host, port and names do not change which route matches.
    for (const f of ['path', 'enabled']) if (service[f] !== undefined) s[f] = service[f];
    out.service = s;
  }
  return out;
}

/** @type {Record<string, string>} */
const LUA_CLASSES = { d: '\\d', w: '\\w', s: '\\s', a: '[A-Za-z]' };

/** Lua pattern (as Kong's tests use them) → JS regex source. @param {string} p */
function luaPattern(p) {
  return p.replace(/%(.)/g, (_, /** @type {string} */ c) => (/[a-zA-Z]/.test(c) ? LUA_CLASSES[c] ?? c : '\\' + c));
}

/** Tests of Kong internals rather than routing: [describe, it (all when absent), why]. */
const NOT_APPLICABLE = [
  ['incremental rebuild', 'update skips routes if updated_at is unchanged', "Kong's incremental rebuild keeps a stale route when updated_at is unchanged; gw rebuilds the router from the whole file"],
];

const headerName = (/** @type {string} */ k) => k.toLowerCase().replace(/_/g, '-');

/** @param {Rec} req @returns {Rec} */
function requestOf(req) {
  /** @type {Record<string, string | string[]>} */
  const headers = {};
  for (const [k, v] of Object.entries(req.headers ?? {})) {
    if (k === 'kong-debug' || k === 'kong_debug') continue;
    headers[headerName(k)] = Array.isArray(v) ? v.map(String) : String(v);
  }
  let uri = req.uri ?? '/';
  if (req.query && Object.keys(req.query).length > 0) {
    const qs = Object.keys(req.query).sort().map((k) => `${encodeURIComponent(k)}=${encodeURIComponent(req.query[k])}`);
    uri += (uri.includes('?') ? '&' : '?') + qs.join('&');
  }
  /** @type {Rec} */
  const out = { method: req.method ?? 'GET', uri };
  if (req.kind === 'select') {
    if (req.host !== undefined && req.host !== null) headers.host = req.host;
    // Some tests pass a host in the scheme position; the ATC router only reads the scheme for SNIs.
    out.scheme = req.scheme === 'https' ? 'https' : 'http';
    if (req.sni) out.sni = req.sni;
  } else if (req.kind === 'exec') {
    out.scheme = req.scheme ?? 'http';
    if (req.server_port !== undefined && req.server_port !== null) out.port = Number(req.server_port);
  } else {
    out.scheme = req.client === 'https' ? 'https' : 'http';
    // Kong's test listeners.
    out.port = req.client === 'https' ? 9443 : 9000;
    if (req.sni) out.sni = req.sni;
  }
  if (Object.keys(headers).length) out.headers = headers;
  return out;
}

/** @param {Rec} req @param {Rec[]} routes @param {Rec} routers @returns {Rec | undefined} */
function expectationsOf(req, routes, routers) {
  /** @type {Rec} */
  const expect = {};
  const routeIndex = (/** @type {any} */ ref) => {
    if (ref && typeof ref === 'object' && ref.__route) {
      const { router, index } = ref.__route;
      if (router === undefined) return undefined;
      if (String(router) === String(req.router)) return index - 1;
      const id = routers[String(router)]?.routes?.[index - 1]?.route?.id;
      const i = routes.findIndex((r) => r.id === id);
      return i === -1 ? undefined : i;
    }
    if (typeof ref === 'string') {
      const i = (req.routes ?? []).findIndex((/** @type {Rec} */ r) => r.id === ref);
      return i === -1 ? undefined : i;
    }
    return undefined;
  };
  let status;
  let noRouteMessage = false;
  for (const c of list(req.checks)) {
    const path = list(c.path).join('.');
    const v = c.expected;
    // `assert(proxy_client:send(...))` only says a response came back.
    if (path === '' && c.op === 'truthy') { if (req.kind !== 'http') expect.matched ??= true; }
    else if (path === '' && (c.op === 'falsy' || c.op === 'is_nil')) expect.route = null;
    else if (path === '' && c.op === 'status') status = v;
    else if (path === 'route' && (c.op === 'same' || c.op === 'equal')) {
      const i = routeIndex(v);
      if (i !== undefined) expect.route = i;
    } else if (path === 'headers.kong-route-id' && c.op === 'equal') {
      const i = routeIndex(v);
      if (i !== undefined) expect.route = i;
    } else if (path === 'headers.kong-route-id' && c.op === 'is_nil') expect.route = null;
    else if (path === 'headers.kong-service-name' && c.op === 'equal' && expect.route === undefined) {
      // The only route of the service the test names.
      const hits = (req.routes ?? []).flatMap((/** @type {Rec} */ r, /** @type {number} */ i) => (r.service && r.service.name === v ? [i] : []));
      if (hits.length === 1) expect.route = hits[0];
    }
    else if (path === 'service' && c.op === 'is_nil') expect.service = null;
    else if (path === 'matches.uri_captures' && (c.op === 'same' || c.op === 'is_nil')) expect.captures = v ?? null;
    else if (path.startsWith('matches.uri_captures.')) (expect.capture ??= {})[path.slice(21)] = c.op === 'equal' ? String(v) : null;
    else if (path === 'upstream_uri' && (c.op === 'same' || c.op === 'equal')) expect.upstream_uri = v;
    else if (path === 'prefix' && c.op === 'equal') expect.prefix = v;
    else if (path === 'prefix' && c.op === 'is_nil') expect.prefix = null;
    else if (path === 'body.vars.request_uri' && c.op === 'equal') expect.upstream_uri = v;
    else if (path === 'body.vars.request_uri' && c.op === 'matches') expect.upstream_uri_pattern = luaPattern(v);
    else if (path === 'body.message' && v === 'no Route matched with those values') noRouteMessage = true;
    else if (path === 'body.message' && v === 'no Service found with those values') expect.service = null;
  }
  if (status !== undefined) {
    if (status === 404 && noRouteMessage) expect.route = null;
    else if (status === 503 && expect.service === null) expect.matched = true;
    else if (status >= 200 && status < 300) expect.matched = true;
  }
  if (expect.route !== undefined && expect.route !== null) delete expect.matched;
  if (expect.route === null) delete expect.matched;
  return Object.keys(expect).length ? expect : undefined;
}

/** @type {Rec[]} */
const cases = [];
/** @type {Rec[][]} */
const routeSets = [];
/** @type {Map<string, number>} */
const setIndex = new Map();
/** @param {Rec[]} routes */
function routeSet(routes) {
  const key = JSON.stringify(routes);
  if (!setIndex.has(key)) {
    setIndex.set(key, routeSets.length);
    routeSets.push(routes);
  }
  return setIndex.get(key);
}
for (const rec of lines) {
  const title = [...list(rec.describe), rec.it].join(' › ');
  if (rec.error) skip(`test body stopped: ${rec.error.replace(/^.*?: /, '').slice(0, 60)}`);
  const requests = list(rec.requests);
  const seen = new Set();
  requests.forEach((req, n) => {
    const integration = req.kind === 'http';
    const rawRoutes = integration
      ? list(req.routes).map((r) => ({ route: r, service: r.service }))
      : list(rec.routers[String(req.router)]?.routes);
    const found = rawRoutes.map((/** @type {Rec} */ x) => toRoute(x.route, x.service, { integration }));
    const na = found.find((r) => r?.na);
    if (na) return skip(`not applicable: ${na.na}`);
    const routes = found.filter((r) => r !== undefined);
    if (routes.length < found.length) return skip('a route without its table');
    if (routes.length === 0) return skip("no routes");
    if (routes.length > 300) return skip("benchmark-sized route table (#benchmarks)");
    if (req.client === 'admin') return skip('admin API');
    const na2 = NOT_APPLICABLE.find(([d, i]) => list(rec.describe).includes(d) && (i === undefined || rec.it === i));
    if (na2) return skip(`not applicable: ${na2[2]}`);
    const expect = expectationsOf(req, routes, rec.routers);
    if (!expect) return skip('no router expectation');
    const request = requestOf(req);
    if (integration && request.scheme === 'https' && !request.sni && routes.some((r) => r.snis)) return skip('TLS server name not recorded');
    const key = JSON.stringify([request, expect]);
    if (seen.has(key)) return;
    seen.add(key);
    const name = requests.length > 1 ? `${title} #${n + 1}` : title;
    cases.push({
      source,
      describe: list(rec.describe),
      it: rec.it,
      name,
      routes: routeSet(routes),
      request,
      expect,
      ...(differences[name] ? { difference: differences[name] } : {}),
    });
  });
}
process.stderr.write(`${source}: ${cases.length} cases\n`);
for (const [reason, n] of [...skipped].sort((a, b) => b[1] - a[1])) process.stderr.write(`  skipped ${n}: ${reason}\n`);
// One line per route set and per case: diffs stay readable and the file stays small.
const body = [
  '{',
  `"source": ${JSON.stringify(source)},`,
  `"kind": ${JSON.stringify(kind)},`,
  '"route_sets": [',
  routeSets.map((set) => ' [\n' + set.map((r) => '  ' + JSON.stringify(r)).join(',\n') + '\n ]').join(',\n'),
  '],',
  '"cases": [',
  cases.map((c) => ' ' + JSON.stringify(c)).join(',\n'),
  ']',
  '}',
];
process.stdout.write(body.join('\n') + '\n');
