/**
 * The running config's entities in the JSON shapes Kong's admin API returns (every schema field present,
 * `null` when unset; foreign keys as `{ "id": … }`), with secrets redacted. The admin API serves them and
 * `gw diff` builds the same shapes from a local file, so the two compare field by field.
 */
import type { GatewayConfig, PluginEntity } from '../config/model.js';
import { entitySchema } from '../config/schemas.js';
import type { PluginRegistry } from '../runtime/registry.js';
import { redactBySchema } from './redact.js';

export type Json = Record<string, unknown>;

/** Kong's collection names, as in its URLs. */
export const COLLECTIONS = ['services', 'routes', 'consumers', 'plugins', 'key-auths', 'consumer_groups'] as const;
export type Collection = (typeof COLLECTIONS)[number];

export interface AdminEntities {
  services: Json[];
  routes: Json[];
  consumers: Json[];
  plugins: Json[];
  'key-auths': Json[];
  consumer_groups: Json[];
}

/** Kong's field lists: each present in the output, null when the entity has no value. */
const FIELDS = {
  services: ['id', 'name', 'protocol', 'host', 'port', 'path', 'retries', 'connect_timeout', 'write_timeout', 'read_timeout', 'tags', 'client_certificate', 'tls_verify', 'tls_verify_depth', 'ca_certificates', 'enabled', 'created_at', 'updated_at'],
  routes: ['id', 'name', 'protocols', 'methods', 'hosts', 'paths', 'headers', 'snis', 'sources', 'destinations', 'strip_path', 'preserve_host', 'regex_priority', 'path_handling', 'https_redirect_status_code', 'request_buffering', 'response_buffering', 'tags', 'service', 'created_at', 'updated_at'],
  consumers: ['id', 'username', 'custom_id', 'tags', 'created_at', 'updated_at'],
  plugins: ['id', 'name', 'instance_name', 'config', 'enabled', 'protocols', 'tags', 'service', 'route', 'consumer', 'created_at', 'updated_at'],
  'key-auths': ['id', 'consumer', 'key', 'tags', 'ttl', 'created_at'],
} as const;

function shape(fields: readonly string[], entity: object): Json {
  const source = entity as Json;
  const out: Json = {};
  for (const field of fields) out[field] = source[field] ?? null;
  return out;
}

/** Consumer groups in Kong's shape (name, tags, created_at, updated_at). */
function consumerGroupsOf(config: GatewayConfig): Json[] {
  return config.consumerGroups.map((g) => ({ id: g.id, name: g.name, tags: g.tags ?? null, created_at: g.created_at, updated_at: g.created_at }));
}

export function adminEntities(config: GatewayConfig, plugins: PluginRegistry, vaultValues: ReadonlySet<string>): AdminEntities {
  const redactAs = (schema: 'service' | 'route' | 'consumer', entity: Json) => redactBySchema(entity, entitySchema(schema), vaultValues) as Json;
  const plugin = (p: PluginEntity): Json => {
    const out = shape(FIELDS.plugins, { ...p, updated_at: p.created_at });
    out.config = redactBySchema(p.config, plugins.get(p.name)?.configSchema as Json | undefined, vaultValues);
    return redactBySchema(out, undefined, vaultValues) as Json;
  };
  const keySchema = { properties: { key: { 'x-secret': true } } };
  const groups = consumerGroupsOf(config);
  return {
    services: config.services.map((s) => redactAs('service', shape(FIELDS.services, { ...s, client_certificate: s.client_certificate ?? null }))),
    routes: config.routes.map((r) => redactAs('route', shape(FIELDS.routes, r))),
    consumers: config.consumers.map((c) => redactAs('consumer', shape(FIELDS.consumers, { ...c, updated_at: c.created_at }))),
    plugins: config.plugins.map(plugin),
    'key-auths': config.consumers.flatMap((c) =>
      c.keyauth_credentials.map((k) => redactBySchema(shape(FIELDS['key-auths'], { ...k, consumer: { id: c.id }, created_at: c.created_at }), keySchema, vaultValues) as Json),
    ),
    consumer_groups: groups.map((g) => redactBySchema(g, undefined, vaultValues) as Json),
  };
}

/** The field Kong also looks an entity up by in `/{collection}/{id or this}`. */
const ENDPOINT_KEY: Record<Collection, string | undefined> = {
  services: 'name',
  routes: 'name',
  consumers: 'username',
  plugins: 'instance_name',
  // Kong also finds a credential by its key; gw doesn't: the admin API must not answer "is this a key?".
  'key-auths': undefined,
  consumer_groups: 'name',
};

export function findEntity(list: readonly Json[], collection: Collection, idOrName: string): Json | undefined {
  const key = ENDPOINT_KEY[collection];
  return list.find((e) => e.id === idOrName) ?? (key === undefined ? undefined : list.find((e) => e[key] === idOrName));
}

export interface Page {
  data: Json[];
  next: string | null;
  offset?: string;
}

/**
 * Kong's pagination: `size` (default 100, at most 1000), an opaque `offset`, `tags` (`a,b`: all of them;
 * `a/b`: any). `next` is the path of the following page, or null.
 */
export function paginate(list: readonly Json[], path: string, query: { size?: string; offset?: string; tags?: string }): Page | { error: string } {
  const size = query.size === undefined ? 100 : Number(query.size);
  if (!Number.isInteger(size) || size < 1 || size > 1000) return { error: 'size must be an integer between 1 and 1000' };
  let start = 0;
  if (query.offset !== undefined) {
    const decoded = Number(Buffer.from(query.offset, 'base64url').toString('utf8'));
    if (!Number.isInteger(decoded) || decoded < 0) return { error: 'invalid offset' };
    start = decoded;
  }
  let items = list;
  if (query.tags !== undefined && query.tags !== '') {
    const any = query.tags.includes('/');
    const wanted = query.tags.split(any ? '/' : ',');
    items = list.filter((e) => {
      const tags = Array.isArray(e.tags) ? (e.tags as unknown[]) : [];
      return any ? wanted.some((t) => tags.includes(t)) : wanted.every((t) => tags.includes(t));
    });
  }
  const data = items.slice(start, start + size);
  if (start + size >= items.length) return { data, next: null };
  const offset = Buffer.from(String(start + size), 'utf8').toString('base64url');
  const params = new URLSearchParams({ offset, ...(query.size === undefined ? {} : { size: String(size) }), ...(query.tags ? { tags: query.tags } : {}) });
  return { data, next: `${path}?${params.toString()}`, offset };
}
