/**
 * The normalized configuration: what the config pipeline produces and the runtime consumes.
 * Entities carry Kong's field names with defaults filled in, ids are derived from names
 * (UUIDv5, stable across reloads), and every entity remembers where in which file it was declared.
 */
import type { ServiceEntity, RouteEntity, ConsumerEntity, ConsumerGroupEntity, KeyAuthCredential } from '@gw/plugin-api';

/** Where something was declared: `kong.yaml:14:9 services[0].routes[0]`. */
export interface SourceLocation {
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
  /** YAML path, e.g. `services[0].routes[0].paths[1]`. */
  path: string;
}

export interface PluginEntity {
  id: string;
  name: string;
  instance_name?: string;
  enabled: boolean;
  protocols: string[];
  tags?: string[];
  /** Validated against the plugin's schema, defaults filled in, env references resolved. */
  config: Record<string, unknown>;
  service: { id: string } | null;
  route: { id: string } | null;
  consumer: { id: string } | null;
  /** Kong Enterprise's consumer-group scope: the instance applies to the group's members. */
  consumer_group: { id: string } | null;
  created_at: number;
  location: SourceLocation;
}

export interface ConsumerWithCredentials extends ConsumerEntity {
  keyauth_credentials: KeyAuthCredential[];
  /** The groups the consumer belongs to, sorted by name (Kong's precedence among groups). */
  consumer_groups?: ConsumerGroupEntity[];
}

/** TLS of a service's upstream connections (Kong's client_certificate, ca_certificates, tls_verify_depth). */
export interface UpstreamTls {
  /** Client certificate (PEM, may include intermediates) and its key, for mTLS. */
  cert?: string;
  key?: string;
  /** Trusted CA certificates (PEM), replacing the system's. */
  ca?: string[];
  /** Most intermediate CA certificates allowed in the upstream's chain. */
  verifyDepth?: number;
}

export interface GatewayConfig {
  services: ServiceEntity[];
  routes: RouteEntity[];
  consumers: ConsumerWithCredentials[];
  consumerGroups: ConsumerGroupEntity[];
  plugins: PluginEntity[];
  /** The files the config was read from, in order. */
  files: string[];
  /** Folder of the first file: plugins resolve relative paths and packages from here. */
  baseDir: string;
  /** Declaration site of every entity, by entity id. */
  locations: Map<string, SourceLocation>;
  /**
   * Ids of the routes whose `id` the file wrote. The router breaks priority ties between them by id, as
   * Kong does; the others (ids gw derived from names) tie-break in file order. Absent: all written.
   */
  declaredRouteIds?: ReadonlySet<string>;
  /** Upstream TLS material by service id, for the services that set any (never logged: it holds keys). */
  upstreamTls: Map<string, UpstreamTls>;
}

/** One problem in a config file. `format()` gives `kong.yaml:14:9 services[0].routes[0].paths[1]: must start with "/" or "~/"`. */
export interface ConfigProblem {
  file: string;
  line: number;
  column: number;
  path: string;
  message: string;
}

export function formatProblem(problem: ConfigProblem): string {
  const where = problem.line > 0 ? `${problem.file}:${problem.line}:${problem.column}` : problem.file;
  return problem.path ? `${where} ${problem.path}: ${problem.message}` : `${where}: ${problem.message}`;
}
