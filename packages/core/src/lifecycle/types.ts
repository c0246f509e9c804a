/** What the lifecycle controller (controller.ts) changes, what it serves and what its operations answer. */
import type { Logger } from '@gw/plugin-api';
import type { LoadedSecrets } from '../config/load.js';
import type { ConfigProblem, GatewayConfig } from '../config/model.js';
import type { PluginRegistry } from '../runtime/registry.js';
import type { PreparedRuntime } from '../server/gateway.js';
import type { ConfigSource, ResolvedSource } from './source.js';

/** What the controller changes: a gateway, or a cluster primary's set of workers. */
export interface LifecycleTarget {
  /** Build `config` beside the running one (nothing serves it yet); throws with nothing changed. `source`: what it was loaded from. */
  prepare(config: GatewayConfig, source: ResolvedSource): Promise<PreparedRuntime>;
  /** Serve it from the next request on. */
  activate(prepared: PreparedRuntime): Promise<void>;
  discard(prepared: PreparedRuntime): Promise<void>;
  /** Throws on a pair that doesn't go together, with the old one still serving. */
  reloadTls(tls: { cert: Buffer; key: Buffer }): void | Promise<void>;
  reopen(): Promise<void>;
  close(options: { drainMs: number }): Promise<void>;
  readonly inFlight: number;
}

/** The config serving now. */
export interface Snapshot {
  readonly config: GatewayConfig;
  readonly hash: string;
  /** Values from the environment and vaults: redacted wherever the config is shown. */
  readonly secrets: LoadedSecrets;
  readonly warnings: readonly string[];
  /** `files` (start, SIGHUP) or `admin` (POST /config). */
  readonly origin: 'files' | 'admin';
  readonly loadedAt: Date;
}

export type Failure =
  /** The config is invalid: every problem, with file:line:col and YAML path. */
  | { ok: false; reason: 'invalid'; problems: ConfigProblem[] }
  /** Valid, but the router or a plugin refused to start with it (a plugin's init threw). */
  | { ok: false; reason: 'refused'; message: string }
  /** gw is draining. */
  | { ok: false; reason: 'closing'; message: string };

export type ReloadOutcome = { ok: true; changed: boolean; snapshot: Snapshot } | Failure;

/** A config loaded and started beside the running one, holding the controller until commit or discard. */
export interface Staged {
  readonly ok: true;
  readonly hash: string;
  /** false: the same configuration_hash as the running config (with checkHash nothing was started). */
  readonly changed: boolean;
  readonly config: GatewayConfig;
  readonly warnings: readonly string[];
  /** Serve it from the next request on. */
  commit(): Promise<Snapshot>;
  /** Drop it; the running config stays. */
  discard(): Promise<void>;
}

export interface LifecycleOptions {
  gateway: LifecycleTarget;
  plugins: PluginRegistry;
  /** The config the gateway was created with, as loadConfig returned it. */
  initial: { config: GatewayConfig; warnings: string[]; secrets: LoadedSecrets };
  /** The files `{ kind: 'files' }` reads (gw start -s). */
  files: string[];
  /** The text of `-` among `files`, read once at start. */
  stdin?: string;
  /** Read at each load (vault references and, for files, environment substitution). Default process.env. */
  env?: () => NodeJS.ProcessEnv;
  /** The TLS listener's certificate and key files (--ssl-cert, --ssl-cert-key), for reloadTls. */
  tls?: { cert: string; key: string };
  logger: Logger;
  /** A proxy address other machines can reach: open-route warnings after a reload say so. */
  exposedHost?: string;
  /** A staged config neither committed nor discarded this long (ms) is discarded. Default 60 s. */
  stageTimeoutMs?: number;
}

export interface Lifecycle {
  current(): Snapshot;
  stage(source: ConfigSource, options?: { checkHash?: boolean }): Promise<Staged | Failure>;
  /** stage + commit. With checkHash, a config whose hash is the running one's is not applied (changed: false). */
  reload(source: ConfigSource, options?: { checkHash?: boolean }): Promise<ReloadOutcome>;
  /** undefined when there is no TLS listener. */
  reloadTls(): Promise<{ ok: true } | { ok: false; message: string } | undefined>;
  reopen(): Promise<void>;
  drain(drainMs: number): Promise<void>;
  readonly draining: boolean;
  readonly inFlight: number;
}
