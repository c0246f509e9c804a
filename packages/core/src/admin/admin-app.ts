/**
 * The admin API: Kong's DB-less admin API, the subset a declarative gateway has (docs/admin-api.md).
 *
 *   GET  /                      node info: version, plugins, configuration (database "off"), configuration_hash
 *   GET  /status                what the status listener's /status says
 *   GET  /config                the running config as a decK file: {"config": "<YAML>"}, secrets redacted
 *   POST /config                apply a declarative config (YAML or JSON; check_hash, flatten_errors): 201 / 304 / 400
 *   GET  /services, /routes, /consumers, /plugins, /key-auths, /consumer_groups   {data, next}
 *   GET  /{collection}/{id or name}, and /services/{s}/routes, /services/{s}/plugins, /routes/{r}/plugins,
 *        /routes/{r}/service, /consumers/{c}/plugins, /consumers/{c}/key-auth
 *   other methods on entities   405 with Kong's "cannot create 'services' entities when not using a database"
 *
 * A hono app like the status API (decisions/0008): ordinary routed endpoints, off the proxy's hot path.
 * It changes the gateway only through the lifecycle controller.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Hono, type Context } from 'hono';
import yaml from 'js-yaml';
import type { Logger } from '@gw/plugin-api';
import { parseYaml } from '../config/yaml.js';
import type { Lifecycle, Snapshot } from '../lifecycle/controller.js';
import type { PluginRegistry } from '../runtime/registry.js';
import { DEFAULT_HEADER_POLICY, type HeaderPolicy } from '../proxy/header-policy.js';
import { GW_VERSION, SERVER } from '../server/version.js';
import { tokenChecker, UNAUTHORIZED_MESSAGE } from './auth.js';
import { readConfigRequest } from './config-body.js';
import { configErrorBody } from './config-errors.js';
import { declarativeConfig } from './declarative.js';
import { adminEntities, findEntity, paginate, type AdminEntities, type Collection, type Json } from './entities.js';

export interface AdminAppOptions {
  lifecycle: Lifecycle;
  plugins: PluginRegistry;
  /** Required on an address other machines can reach (auth.ts). */
  token?: string;
  /** The status listener's app: GET /status answers what it answers. */
  status: { fetch(request: Request): Response | Promise<Response> };
  /** Kong's `headers`: Server (server_tokens) and X-Kong-Admin-Latency (latency_tokens) on every answer. Default: Kong's. */
  headerPolicy?: Pick<HeaderPolicy, 'server' | 'adminLatency'>;
  /** Settings shown under `configuration` in GET / (Kong shows kong.conf there), e.g. proxy_listen. */
  configuration?: Json;
  /** A cluster primary's workers, for `pids.workers` in GET / (as Kong lists its nginx workers). */
  workerPids?: () => number[];
  logger: Logger;
}

/** Kong's errors.lua OPERATION_UNSUPPORTED. */
const OPERATION_UNSUPPORTED = { code: 12, name: 'operation unsupported' };
const COLLECTION_PATHS: Collection[] = ['services', 'routes', 'consumers', 'plugins', 'key-auths', 'consumer_groups'];

export function createAdminApp(options: AdminAppOptions): Hono {
  const { lifecycle, plugins } = options;
  const app = new Hono();
  const nodeId = randomUUID();
  const authorized = options.token ? tokenChecker(options.token) : undefined;

  // Entities are derived once per config (the snapshot), not per request.
  let cached: { snapshot: Snapshot; entities: AdminEntities } | undefined;
  const entities = (): AdminEntities => {
    const snapshot = lifecycle.current();
    if (cached?.snapshot !== snapshot) cached = { snapshot, entities: adminEntities(snapshot.config, plugins, snapshot.secrets.vault) };
    return cached.entities;
  };

  const headers = options.headerPolicy ?? DEFAULT_HEADER_POLICY;
  app.use('*', async (c, next) => {
    const started = performance.now();
    const decorate = (response: Response) => {
      if (headers.server) response.headers.set('server', SERVER);
      if (headers.adminLatency) response.headers.set('x-kong-admin-latency', String(Math.round(performance.now() - started)));
      return response;
    };
    if (authorized && !authorized(c.req.raw.headers)) return decorate(c.json({ message: UNAUTHORIZED_MESSAGE }, 401));
    await next();
    decorate(c.res);
    return undefined;
  });

  app.get('/', (c) => {
    const { config, hash } = lifecycle.current();
    const available: Record<string, { version: string; priority: number }> = {};
    for (const [name, p] of [...plugins].sort(([a], [b]) => a.localeCompare(b))) available[name] = { version: p.version, priority: p.priority };
    return c.json({
      tagline: 'Welcome to gw',
      version: GW_VERSION,
      edition: 'community',
      hostname: hostname(),
      node_id: nodeId,
      pids: options.workerPids ? { master: process.pid, workers: options.workerPids() } : { master: process.pid },
      plugins: { available_on_server: available, enabled_in_cluster: [...new Set(config.plugins.map((p) => p.name))].sort() },
      configuration: { database: 'off', role: 'traditional', ...options.configuration },
      configuration_hash: hash,
    });
  });

  app.get('/status', (c) => options.status.fetch(new Request(new URL('/status', c.req.url))));

  app.get('/config', (c) => {
    const { config, secrets } = lifecycle.current();
    const text = yaml.dump(declarativeConfig(config, plugins, secrets.vault), { noRefs: true, lineWidth: -1, quotingType: '"' });
    return c.json({ config: text });
  });

  app.post('/config', async (c) => {
    const parsed = await readConfigRequest(c.req.raw);
    if (!parsed.ok) return c.json({ message: parsed.message }, parsed.status);
    const { text, checkHash, flattenErrors } = parsed.request;
    const outcome = await lifecycle.reload({ kind: 'text', text }, { checkHash });
    if (outcome.ok) {
      if (!outcome.changed && checkHash) return c.body(null, 304);
      return c.json(appliedBody(adminEntities(outcome.snapshot.config, plugins, outcome.snapshot.secrets.vault), outcome.snapshot.warnings), 201);
    }
    if (outcome.reason === 'closing') return c.json({ message: 'gw currently exiting' }, 503);
    if (outcome.reason === 'refused') return c.json({ code: 14, name: 'invalid declarative configuration', message: `declarative config could not be applied: ${outcome.message}` }, 400);
    return c.json(configErrorBody(outcome.problems, documentOf(text), { flatten: flattenErrors, plugins }), 400);
  });

  const list = (collection: Collection) => (c: Context) => {
    const all = entities()[collection];
    if (all === undefined) return notFound(c);
    return page(c, all, c.req.path);
  };
  const one = (collection: Collection) => (c: Context) => {
    const entity = findEntity(entities()[collection] ?? [], collection, c.req.param('id') ?? '');
    return entity ? c.json(entity) : notFound(c);
  };
  for (const collection of COLLECTION_PATHS) {
    app.get(`/${collection}`, list(collection));
    app.get(`/${collection}/:id`, one(collection));
  }

  /** Entities of `collection` whose foreign key `field` points at the parent found in `parentCollection`. */
  const children = (parentCollection: Collection, collection: Collection, field: string) => (c: Context) => {
    const all = entities();
    const parent = findEntity(all[parentCollection] ?? [], parentCollection, c.req.param('id') ?? '');
    if (!parent) return notFound(c);
    return page(c, (all[collection] ?? []).filter((e) => (e[field] as { id?: string } | null)?.id === parent.id), c.req.path);
  };
  app.get('/services/:id/routes', children('services', 'routes', 'service'));
  app.get('/services/:id/plugins', children('services', 'plugins', 'service'));
  app.get('/routes/:id/plugins', children('routes', 'plugins', 'route'));
  app.get('/consumers/:id/plugins', children('consumers', 'plugins', 'consumer'));
  app.get('/consumers/:id/key-auth', children('consumers', 'key-auths', 'consumer'));
  app.get('/routes/:id/service', (c) => {
    const all = entities();
    const route = findEntity(all.routes, 'routes', c.req.param('id'));
    const service = route && findEntity(all.services, 'services', (route.service as { id?: string } | null)?.id ?? '');
    return service ? c.json(service) : notFound(c);
  });

  // Writes: Kong DB-less answers 405 with the operation it can't do.
  for (const collection of COLLECTION_PATHS) {
    app.post(`/${collection}`, (c) => unsupported(c, 'create', collection));
    app.on(['PUT'], `/${collection}/:id`, (c) => unsupported(c, 'create or update', collection));
    app.on(['PATCH'], `/${collection}/:id`, (c) => unsupported(c, 'update', collection));
    app.delete(`/${collection}/:id`, (c) => unsupported(c, 'remove', collection));
  }
  app.notFound((c) => notFound(c));
  app.onError((error, c) => {
    options.logger.error(`admin API: ${c.req.method} ${c.req.path} failed: ${error.message}`);
    return c.json({ message: 'An unexpected error occurred' }, 500);
  });
  return app;
}

function notFound(c: Context) {
  return c.json({ message: 'Not found' }, 404);
}

function unsupported(c: Context, operation: string, collection: Collection) {
  const name = collection === 'key-auths' ? 'keyauth_credentials' : collection;
  return c.json({ ...OPERATION_UNSUPPORTED, message: `cannot ${operation} '${name}' entities when not using a database` }, 405);
}

function page(c: Context, all: readonly Json[], path: string) {
  const result = paginate(all, path, { size: c.req.query('size'), offset: c.req.query('offset'), tags: c.req.query('tags') });
  if ('error' in result) return c.json({ code: 7, name: 'invalid offset', message: result.error }, 400);
  return c.json(result);
}

/** Kong's 201 body: the entities by kind and id (keyauth_credentials is Kong's name for key-auths). */
function appliedBody(all: AdminEntities, warnings: readonly string[]): Json {
  const byId = (list: readonly Json[]) => Object.fromEntries(list.map((e) => [e.id as string, e]));
  const body: Json = {
    services: byId(all.services),
    routes: byId(all.routes),
    consumers: byId(all.consumers),
    plugins: byId(all.plugins),
    keyauth_credentials: byId(all['key-auths']),
  };
  if (all.consumer_groups.length > 0) body.consumer_groups = byId(all.consumer_groups);
  // gw's addition: what was accepted but not acted on (the same lines `gw sync` prints).
  if (warnings.length > 0) body._warnings = warnings;
  return body;
}

/** The posted text as a value, for echoing entities in flattened errors (undefined when it doesn't parse, or aliases make it a graph). */
function documentOf(text: string): unknown {
  const parsed = parseYaml(text, (offset) => offset, text);
  return parsed.ok ? parsed.doc.value : undefined;
}
