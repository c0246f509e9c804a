/**
 * The record every log plugin receives: Kong's basic serializer shape (kong.log.serialize()),
 * plus whatever plugins set through `setSerializeValue` (e.g. `ai.proxy.*`).
 */
import type { JsonValue } from './json.js';
import type { TryRecord } from './context.js';

/**
 * Who cut a response, why, and when. `client`: the client went away (`disconnected`). `upstream`: its
 * response broke off after gw had sent the head (`closed`: the connection closed or was reset before the
 * body's end; `read-timeout`). `gateway`: gw itself (`plugin-failed`: a body plugin failed after the
 * head; `shutdown`: the drain time ran out; `error`: another failure after the head).
 */
export interface ResponseCut {
  by: 'client' | 'upstream' | 'gateway';
  reason: 'disconnected' | 'closed' | 'read-timeout' | 'plugin-failed' | 'shutdown' | 'error';
  /** ms after the request started. */
  at: number;
  /** Bytes of the response on the client connection by then, head included (what `response.size` counts). */
  bytes: number;
}

export interface LogRecord {
  request: {
    id: string;
    uri: string;
    url: string;
    querystring: Record<string, string | string[] | true>;
    method: string;
    headers: Record<string, string | string[]>;
    size: number;
    /** Requests on the TLS listener (Kong's ssl_protocol, ssl_cipher, ssl_client_verify). */
    tls?: { version: string; cipher: string; client_verify: string };
  };
  upstream_uri: string;
  upstream_status: string;
  response: {
    status: number;
    headers: Record<string, string | string[]>;
    size: number;
  };
  latencies: { kong: number; proxy: number; request: number; receive: number };
  tries: TryRecord[];
  route: Record<string, unknown> | null;
  service: Record<string, unknown> | null;
  consumer: Record<string, unknown> | null;
  authenticated_entity?: { id: string; consumer_id: string };
  client_ip: string;
  started_at: number;
  source: 'kong' | 'upstream';
  /** gw addition: set when the client went away before the response was complete. */
  client_aborted?: boolean;
  /** gw addition: the response did not end normally; its connection was closed mid-response (see ResponseCut). */
  cut?: ResponseCut;
  [extra: string]: JsonValue | unknown;
}
