/**
 * Normalized entities, with Kong's field names and defaults filled in. These are what the log record
 * copies into `route`, `service` and `consumer`.
 */

export interface ServiceEntity {
  id: string;
  name?: string;
  protocol: string;
  host: string;
  port: number;
  path?: string;
  retries: number;
  connect_timeout: number;
  write_timeout: number;
  read_timeout: number;
  enabled: boolean;
  tags?: string[];
  tls_verify?: boolean;
  tls_verify_depth?: number;
  /** Id of the certificate presented to the upstream (mTLS). */
  client_certificate?: { id: string };
  /** Ids of the CA certificates trusted for the upstream. */
  ca_certificates?: string[];
  created_at: number;
  updated_at: number;
}

export interface RouteEntity {
  id: string;
  name?: string;
  /** Service id, or null for a route without service. */
  service: { id: string } | null;
  protocols: string[];
  methods?: string[];
  hosts?: string[];
  paths?: string[];
  headers?: Record<string, string[]>;
  snis?: string[];
  strip_path: boolean;
  preserve_host: boolean;
  regex_priority: number;
  path_handling: 'v0' | 'v1';
  https_redirect_status_code: number;
  request_buffering: boolean;
  response_buffering: boolean;
  tags?: string[];
  created_at: number;
  updated_at: number;
}

export interface KeyAuthCredential {
  id: string;
  key: string;
  tags?: string[];
}

export interface ConsumerEntity {
  id: string;
  username?: string;
  custom_id?: string;
  tags?: string[];
  created_at: number;
}

/** A consumer group (Kong's consumer_groups): plugins scoped to it apply to its members. */
export interface ConsumerGroupEntity {
  id: string;
  name: string;
  tags?: string[];
  created_at: number;
}
