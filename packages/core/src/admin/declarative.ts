/**
 * The running config as a decK file (GET /config, `gw dump`): what `deck gateway dump` writes, nested the
 * way decK nests (routes and single-scope plugins under their service, route or consumer; plugins of
 * several scopes at the top with their references by name), with defaults filled in, no timestamps, and
 * an `id` only where gw could not derive the same one again from names. Secrets are REDACTED (redact.ts).
 * Certificates come back from the services that use them (gw keeps no other copy); their `snis` and
 * `tags` are not kept (gw serves no certificate by SNI).
 */
import type { RouteEntity, ServiceEntity } from '@gw/plugin-api';
import type { ConsumerWithCredentials, GatewayConfig, PluginEntity } from '../config/model.js';
import { stableId } from '../config/ids.js';
import { entitySchema } from '../config/schemas.js';
import type { PluginRegistry } from '../runtime/registry.js';
import { REDACTED } from '../log/redact.js';
import { redactBySchema } from './redact.js';

type Json = Record<string, unknown>;

/** Drop undefined, null, and the fields a decK dump leaves out. */
function clean(entity: object, omit: readonly string[]): Json {
  const out: Json = {};
  for (const [k, v] of Object.entries(entity)) if (v !== undefined && v !== null && !omit.includes(k)) out[k] = v;
  return out;
}

const TIMESTAMPS = ['created_at', 'updated_at'];

export function declarativeConfig(config: GatewayConfig, plugins: PluginRegistry, vaultValues: ReadonlySet<string>): Json {
  const services = new Map(config.services.map((s) => [s.id, s]));
  const routes = new Map(config.routes.map((r) => [r.id, r]));
  const consumers = new Map(config.consumers.map((c) => [c.id, c]));
  const refName = (id: string) => services.get(id)?.name ?? routes.get(id)?.name ?? consumers.get(id)?.username ?? id;
  const withId = (derived: string | undefined, id: string, out: Json): Json => (derived === id ? out : { id, ...out });

  const pluginOut = (p: PluginEntity, nestedUnder: 'service' | 'route' | 'consumer' | undefined): Json => {
    const key = `${p.name}|${p.service?.id ?? null}|${p.route?.id ?? null}|${p.consumer?.id ?? null}`;
    const out = clean({ ...p, location: undefined }, ['id', 'service', 'route', 'consumer', ...TIMESTAMPS]);
    out.config = redactBySchema(p.config, plugins.get(p.name)?.configSchema as Json | undefined, vaultValues);
    for (const scope of ['service', 'route', 'consumer'] as const) {
      const ref = p[scope];
      if (ref && scope !== nestedUnder) out[scope] = refName(ref.id);
    }
    return withId(stableId('plugin', key), p.id, out);
  };
  /** The scope a plugin nests under: the only one it has, else none (top level). */
  const soleScope = (p: PluginEntity) => {
    const scopes = (['service', 'route', 'consumer'] as const).filter((s) => p[s] !== null);
    return scopes.length === 1 ? { kind: scopes[0], id: p[scopes[0]]!.id } : undefined;
  };
  const nested = (kind: 'service' | 'route' | 'consumer', id: string) =>
    config.plugins.filter((p) => soleScope(p)?.kind === kind && soleScope(p)?.id === id).map((p) => pluginOut(p, kind));
  const listOrNothing = (list: Json[]) => (list.length > 0 ? list : undefined);

  const routeOut = (r: RouteEntity, nestedInService: boolean): Json => {
    const out = clean(r, ['id', 'service', ...TIMESTAMPS]);
    if (!nestedInService && r.service) out.service = refName(r.service.id);
    const routePlugins = listOrNothing(nested('route', r.id));
    if (routePlugins) out.plugins = routePlugins;
    return withId(r.name === undefined ? undefined : stableId('route', r.name), r.id, redactBySchema(out, entitySchema('route'), vaultValues) as Json);
  };
  const serviceOut = (s: ServiceEntity): Json => {
    const out = clean(s, ['id', 'client_certificate', ...TIMESTAMPS]);
    if (s.client_certificate) out.client_certificate = s.client_certificate.id;
    const own = listOrNothing(config.routes.filter((r) => r.service?.id === s.id).map((r) => routeOut(r, true)));
    if (own) out.routes = own;
    const servicePlugins = listOrNothing(nested('service', s.id));
    if (servicePlugins) out.plugins = servicePlugins;
    return withId(s.name === undefined ? undefined : stableId('service', s.name), s.id, redactBySchema(out, entitySchema('service'), vaultValues) as Json);
  };
  const consumerOut = (c: ConsumerWithCredentials): Json => {
    const out = clean(c, ['id', 'keyauth_credentials', ...TIMESTAMPS]);
    const name = c.username ?? (c.custom_id === undefined ? undefined : `custom_id:${c.custom_id}`);
    const keys = c.keyauth_credentials.map((k, j) => withId(stableId('keyauth_credential', `${c.id}:${j}`), k.id, { ...clean(k, ['id']), key: REDACTED }));
    if (keys.length > 0) out.keyauth_credentials = keys;
    const consumerPlugins = listOrNothing(nested('consumer', c.id));
    if (consumerPlugins) out.plugins = consumerPlugins;
    return withId(name === undefined ? undefined : stableId('consumer', name), c.id, redactBySchema(out, entitySchema('consumer'), vaultValues) as Json);
  };

  const certificates = new Map<string, Json>();
  const caCertificates = new Map<string, Json>();
  for (const s of config.services) {
    const tls = config.upstreamTls.get(s.id);
    if (s.client_certificate && tls?.cert !== undefined) certificates.set(s.client_certificate.id, { id: s.client_certificate.id, cert: tls.cert, key: REDACTED });
    s.ca_certificates?.forEach((id, i) => {
      const cert = tls?.ca?.[i];
      if (cert !== undefined) caCertificates.set(id, { id, cert });
    });
  }

  const doc: Json = { _format_version: '3.0' };
  const put = (key: string, list: Json[]) => {
    if (list.length > 0) doc[key] = list;
  };
  put('services', config.services.map(serviceOut));
  put('routes', config.routes.filter((r) => r.service === null).map((r) => routeOut(r, false)));
  put('consumers', config.consumers.map(consumerOut));
  put('plugins', config.plugins.filter((p) => soleScope(p) === undefined).map((p) => pluginOut(p, undefined)));
  put('certificates', [...certificates.values()]);
  put('ca_certificates', [...caCertificates.values()]);
  return doc;
}
