/**
 * The last step: turn checked raw entities into the GatewayConfig the runtime uses, with Kong's
 * defaults, stable ids, select_tags applied and every entity's declaration site.
 */
import type { ConsumerGroupEntity, ServiceEntity, RouteEntity } from '@gw/plugin-api';
import type { Collected, Origin } from './collect.js';
import { isRecord } from './collect.js';
import type { Resolved } from './references.js';
import type { ResolvedTls } from './certificates.js';
import type { ConsumerWithCredentials, GatewayConfig, PluginEntity, SourceLocation, UpstreamTls } from './model.js';
import { parseServiceUrl } from './entity-rules.js';
import { stableId } from './ids.js';

export interface NormalizeInput {
  collected: Collected;
  resolved: Resolved;
  tls: ResolvedTls;
  selectTags: string[];
  files: string[];
  baseDir: string;
  locate(origin: Origin): SourceLocation;
  /** Seconds since epoch, Kong's unit for created_at. */
  now: number;
}

type Raw = Record<string, unknown>;
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const strings = (v: unknown): string[] | undefined => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : undefined);

function tags(raw: Raw, selectTags: string[]): string[] | undefined {
  const own = strings(raw.tags) ?? [];
  const all = [...new Set([...own, ...selectTags])];
  return all.length ? all : undefined;
}

/** Drop undefined fields so entities compare and serialize cleanly. */
function compact<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}

export function normalize(input: NormalizeInput): GatewayConfig {
  const { collected: c, resolved: r, selectTags, now } = input;
  const locations = new Map<string, SourceLocation>();
  const upstreamTls = new Map<string, UpstreamTls>();

  const services: ServiceEntity[] = c.services.map((s, i) => {
    const raw = s.raw;
    const refs = input.tls.services[i];
    const tls = upstreamTlsOf(c, refs, raw.tls_verify_depth);
    if (tls) upstreamTls.set(r.serviceIds[i], tls);
    const url = str(raw.url) !== undefined ? parseServiceUrl(raw.url as string) : undefined;
    // decK: the url's parts first, explicit protocol/host/port/path over them.
    const protocol = str(raw.protocol) ?? url?.protocol ?? 'http';
    locations.set(r.serviceIds[i], input.locate(s.origin));
    return compact<ServiceEntity>({
      id: r.serviceIds[i],
      name: str(raw.name),
      protocol,
      // '' only for a mock-mode placeholder url (validation without the environment).
      host: str(raw.host) ?? url?.host ?? '',
      // Kong's schema default is 80 whatever the protocol; gw uses 443 for https (see docs/configuration.md).
      port: (raw.port as number | undefined) ?? url?.port ?? (protocol === 'https' ? 443 : 80),
      path: str(raw.path) ?? url?.path,
      retries: raw.retries as number,
      connect_timeout: raw.connect_timeout as number,
      write_timeout: raw.write_timeout as number,
      read_timeout: raw.read_timeout as number,
      enabled: raw.enabled as boolean,
      tags: tags(raw, selectTags),
      tls_verify: raw.tls_verify as boolean | undefined,
      tls_verify_depth: typeof raw.tls_verify_depth === 'number' ? raw.tls_verify_depth : undefined,
      client_certificate: refs.clientCertificate === undefined ? undefined : { id: input.tls.certificateIds[refs.clientCertificate] },
      ca_certificates: refs.caCertificates?.map((j) => input.tls.caCertificateIds[j]),
      created_at: (raw.created_at as number | undefined) ?? now,
      updated_at: (raw.updated_at as number | undefined) ?? now,
    });
  });

  const routes: RouteEntity[] = c.routes.map((rt, i) => {
    const raw = rt.raw;
    const serviceId = r.routeService[i];
    locations.set(r.routeIds[i], input.locate(rt.origin));
    return compact<RouteEntity>({
      id: r.routeIds[i],
      name: str(raw.name),
      service: serviceId ? { id: serviceId } : null,
      protocols: strings(raw.protocols)!,
      methods: strings(raw.methods),
      hosts: strings(raw.hosts),
      paths: strings(raw.paths),
      headers: isRecord(raw.headers) ? (raw.headers as Record<string, string[]>) : undefined,
      snis: strings(raw.snis),
      strip_path: raw.strip_path as boolean,
      preserve_host: raw.preserve_host as boolean,
      regex_priority: raw.regex_priority as number,
      path_handling: raw.path_handling as 'v0' | 'v1',
      https_redirect_status_code: raw.https_redirect_status_code as number,
      request_buffering: raw.request_buffering as boolean,
      response_buffering: raw.response_buffering as boolean,
      tags: tags(raw, selectTags),
      created_at: (raw.created_at as number | undefined) ?? now,
      updated_at: (raw.updated_at as number | undefined) ?? now,
    });
  });

  const consumerGroups: ConsumerGroupEntity[] = c.consumerGroups.map((g, i) => {
    const raw = g.raw;
    locations.set(r.consumerGroupIds[i], input.locate(g.origin));
    return compact<ConsumerGroupEntity>({
      id: r.consumerGroupIds[i],
      name: raw.name as string,
      tags: tags(raw, selectTags),
      created_at: (raw.created_at as number | undefined) ?? now,
    });
  });
  // Kong: among a consumer's groups, the first by name wins a precedence tie.
  const byName = (a: ConsumerGroupEntity, b: ConsumerGroupEntity) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

  const consumers: ConsumerWithCredentials[] = c.consumers.map((cs, i) => {
    const raw = cs.raw;
    const id = r.consumerIds[i];
    locations.set(id, input.locate(cs.origin));
    const creds = Array.isArray(raw.keyauth_credentials) ? (raw.keyauth_credentials as Raw[]) : [];
    return compact<ConsumerWithCredentials>({
      id,
      username: str(raw.username),
      custom_id: str(raw.custom_id),
      tags: tags(raw, selectTags),
      created_at: (raw.created_at as number | undefined) ?? now,
      consumer_groups: r.memberOf[i].length === 0 ? undefined : r.memberOf[i].map((g) => consumerGroups[g]).sort(byName),
      keyauth_credentials: creds.map((cred, j) => {
        const credId = str(cred.id) ?? stableId('keyauth_credential', `${id}:${j}`);
        locations.set(credId, input.locate({ ...cs.origin, path: [...cs.origin.path, 'keyauth_credentials', j] }));
        return compact({ id: credId, key: cred.key as string, tags: strings(cred.tags) });
      }),
    });
  });

  const plugins: PluginEntity[] = c.plugins.map((p, i) => {
    const raw = p.raw;
    const scope = r.pluginScopes[i];
    const location = input.locate(p.origin);
    locations.set(r.pluginIds[i], location);
    return compact<PluginEntity>({
      id: r.pluginIds[i],
      name: raw.name as string,
      instance_name: str(raw.instance_name),
      enabled: raw.enabled as boolean,
      // Filled by the plugin checks (the plugin's default when absent).
      protocols: strings(raw.protocols)!,
      tags: tags(raw, selectTags),
      config: raw.config as Record<string, unknown>,
      service: scope.service ? { id: scope.service } : null,
      route: scope.route ? { id: scope.route } : null,
      consumer: scope.consumer ? { id: scope.consumer } : null,
      consumer_group: scope.consumer_group ? { id: scope.consumer_group } : null,
      created_at: (raw.created_at as number | undefined) ?? now,
      location,
    });
  });

  const declaredRouteIds = new Set(c.routes.flatMap((rt, i) => (typeof rt.raw.id === 'string' ? [r.routeIds[i]] : [])));
  return { services, routes, consumers, consumerGroups, plugins, files: input.files, baseDir: input.baseDir, locations, upstreamTls, declaredRouteIds };
}

function upstreamTlsOf(c: Collected, refs: ResolvedTls['services'][number], depth: unknown): UpstreamTls | undefined {
  const tls: UpstreamTls = {};
  if (refs.clientCertificate !== undefined) {
    const cert = c.certificates[refs.clientCertificate].raw;
    tls.cert = cert.cert as string;
    tls.key = cert.key as string;
  }
  if (refs.caCertificates !== undefined && refs.caCertificates.length > 0) tls.ca = refs.caCertificates.map((j) => c.caCertificates[j].raw.cert as string);
  if (typeof depth === 'number') tls.verifyDepth = depth;
  return Object.keys(tls).length > 0 ? tls : undefined;
}
