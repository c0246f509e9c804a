/** What a gateway (gateway.ts) is created with, and what it offers its lifecycle controller. */
import type { Logger } from '@gw/plugin-api';
import type { ProxySettings } from '@gw/proxy-env';
import type { GatewayConfig } from '../config/model.js';
import type { HeaderPolicy } from '../proxy/header-policy.js';
import type { PluginRegistry } from '../runtime/registry.js';
import type { StatusSource } from '../status/status-app.js';

export interface GatewayOptions {
  config: GatewayConfig;
  plugins: PluginRegistry;
  logger?: Logger;
  /** Which of gw's own headers to add (Kong's `headers`, `headers_upstream`; parseHeaderPolicy). Kong's defaults when absent. */
  headerPolicy?: HeaderPolicy;
  /**
   * Run a full GC once the gateway has been idle this long (ms) after traffic, so a burst's memory goes
   * back (idle-gc.ts). Off when absent or 0; `gw start` turns it on.
   */
  idleGcMs?: number;
  /** nginx's client_body_timeout: ms of silence while a request body is read before a 408 (default 60 s; 0: off). */
  clientBodyTimeoutMs?: number;
  /**
   * nginx's client_header_timeout: ms a connection may take to send a request head, and to start one at
   * all (default 60 s; 0: off).
   */
  clientHeaderTimeoutMs?: number;
  /**
   * nginx's underscores_in_headers (Kong: nginx_http_underscores_in_headers): keep request headers whose
   * names contain `_`. Off by default, as in nginx: they are dropped before anything reads them.
   */
  underscoresInHeaders?: boolean;
  /**
   * The outbound proxy for upstream calls (`readProxyEnv(process.env).settings` in `gw start`; read once,
   * kept across reloads). Absent: upstream calls go direct.
   */
  outboundProxy?: ProxySettings;
  /** Kong's node_id; random when absent. The workers of a cluster share their primary's, as Kong's workers do. */
  nodeId?: string;
}

/** nginx's defaults for client_body_timeout and client_header_timeout. */
export const DEFAULT_CLIENT_TIMEOUT_MS = 60_000;

/** A runtime built by `prepare`, not serving yet. */
export interface PreparedRuntime {
  readonly hash: string;
}

export interface Gateway {
  listen(port: number, host?: string): Promise<{ port: number; host: string }>;
  /** Serve the proxy over TLS too, on a second address (Kong's `proxy_listen … ssl`, ssl_cert, ssl_cert_key). */
  listenTls(port: number, host: string | undefined, tls: { cert: string | Buffer; key: string | Buffer }): Promise<{ port: number; host: string }>;
  /** New certificate and key for the TLS listener (rotation): new handshakes use them, open connections keep theirs. */
  reloadTls(tls: { cert: string | Buffer; key: string | Buffer }): void;
  /** Serve GET /status, /status/ready and the plugins' status endpoints on a second address (Kong's status_listen). */
  listenStatus(port: number, host?: string): Promise<{ port: number; host: string }>;
  /** Serve an admin API (a fetch handler: admin/) on an address of its own; closed last, after the drain. */
  listenAdmin(port: number, host: string, fetch: (request: Request) => Response | Promise<Response>): Promise<{ port: number; host: string }>;
  /**
   * Build the runtime for `config` (router, plugin instances started) beside the running one; throws on a
   * config the router or a plugin refuses, with nothing changed. Nothing serves it until `activate`.
   */
  prepare(config: GatewayConfig): Promise<PreparedRuntime>;
  /** Serve `prepared` from the next request on (one assignment: a request sees the old or the new config, whole). */
  activate(prepared: PreparedRuntime): Promise<void>;
  /** Drop a prepared runtime that won't be activated (another worker refused the same config): its plugins close. */
  discard(prepared: PreparedRuntime): Promise<void>;
  /** prepare + activate. */
  reload(config: GatewayConfig): Promise<void>;
  /** configuration_hash of the config serving now. */
  readonly configurationHash: string;
  /** The status API's answer to `request`, whether or not it listens (the admin API's GET /status). */
  status(request: Request): Response | Promise<Response>;
  /** What the status API reads (a cluster worker reports it to its primary). */
  readonly node: StatusSource;
  reopen(): Promise<void>;
  close(options?: { drainMs?: number }): Promise<void>;
  readonly inFlight: number;
}
