/**
 * What a cluster primary and its workers say to each other (rpc.ts carries it), in one place.
 *
 *   worker → primary   init        what to serve: the config's source (the same texts every worker got),
 *                                  the node id, the TLS pair, the ports
 *                      ready       listening: the addresses bound, the configuration hash
 *                      failed      could not start (a plugin's init threw), with why
 *   primary → worker   stage       load and start the source beside the running config; answers its hash
 *                      commit      serve the staged config / discard: drop it
 *                      reloadTls   a new certificate and key for the TLS listener
 *                      reopen      reopen log files
 *                      drain       stop accepting, finish in-flight requests, exit
 *                      status      the status snapshot (counters, memory, plugin reports)
 *                      collect     a plugin status endpoint's part (StatusEndpoint.cluster.collect)
 *                      forward     a plugin status endpoint's whole answer (one without `cluster`)
 */
import type { Failure, ResolvedSource } from '../lifecycle/controller.js';

export interface WorkerInit {
  source: ResolvedSource;
  nodeId: string;
  tls?: { cert: Buffer; key: Buffer };
  /** The port to listen on, as configured (with 0 too, node:cluster hands every worker the listener their siblings share). */
  port: number;
  tlsPort?: number;
}

export interface Address {
  host: string;
  port: number;
}

export interface WorkerReady {
  proxy: Address;
  tls?: Address;
  hash: string;
}

export type StageReply = { ok: true; hash: string } | Failure;

export interface EndpointCall {
  path: string;
  url: string;
}

export interface ForwardedResponse {
  status: number;
  headers: [string, string][];
  body: string;
}

/** How long each call may take. */
export const TIMEOUTS = {
  /** Loading a config and starting its plugins. */
  stage: 60_000,
  commit: 30_000,
  quick: 10_000,
  status: 5_000,
} as const;
