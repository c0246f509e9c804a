/**
 * The lifecycle controller: the one place that changes a running gateway. Signals (lifecycle/signals.ts),
 * the admin API (admin/) and a cluster primary (cluster/) all call it; none of them touches the gateway.
 *
 *   reload(source)   a config from the files gw started with (env substituted, as at start) or from a
 *                    posted text (no substitution: Kong's /config); all of it or none of it serves
 *   stage(source)    the first half of a reload: loaded, checked and its plugins started beside the
 *                    running config, then commit() or discard(): the seam for applying one config to
 *                    several workers at once (stage on all, commit on all only if every one staged). A
 *                    stage settled by neither within stageTimeoutMs is discarded, so a primary that
 *                    went away can't hold the controller for ever
 *   reloadTls()      the TLS listener's certificate and key, re-read from their files
 *   reopen()         log files (rotation)
 *   drain(ms)        stop accepting, let in-flight requests finish, close
 *
 * Operations run one at a time, in order: a SIGHUP during an admin apply waits for it. A request keeps
 * the config it started on to its end (server/gateway.ts), so a stream is never cut by a reload.
 *
 * What it changes is a LifecycleTarget: a gateway (server/gateway.ts), or a cluster primary's workers
 * (cluster/worker-set.ts), whose prepare stages the same texts on every worker.
 */
import { summarize } from '../config/load.js';
import { formatProblem, type GatewayConfig } from '../config/model.js';
import { findOpenRoutes, openRouteWarnings } from '../runtime/open-routes.js';
import type { PreparedRuntime } from '../server/gateway.js';
import { configurationHash } from './config-hash.js';
import { createSerial } from './serial.js';
import { loadSource, resolveSource, type ConfigSource } from './source.js';
import { readTls } from './tls.js';
import type { Failure, Lifecycle, LifecycleOptions, ReloadOutcome, Snapshot, Staged } from './types.js';

export type { ConfigSource, ResolvedSource } from './source.js';
export type { Failure, Lifecycle, LifecycleOptions, LifecycleTarget, ReloadOutcome, Snapshot, Staged } from './types.js';

/** How long a staged config may wait for commit or discard (a cluster primary stages on every worker first). */
export const DEFAULT_STAGE_TIMEOUT_MS = 60_000;

/** `2 routes, 1 plugin`: what a config declares, for log lines. */
export function describeConfig(config: GatewayConfig): string {
  const { routes, plugins } = summarize(config);
  const count = Object.values(plugins).reduce((sum, n) => sum + n, 0);
  return `${routes} route${routes === 1 ? '' : 's'}, ${count} plugin${count === 1 ? '' : 's'}`;
}

export function createLifecycle(options: LifecycleOptions): Lifecycle {
  const { gateway, plugins, logger } = options;
  const env = options.env ?? (() => process.env);
  let snapshot: Snapshot = {
    ...options.initial,
    hash: configurationHash(options.initial.config),
    origin: 'files',
    loadedAt: new Date(),
  };
  let draining = false;

  const { acquire, serially } = createSerial();

  const context = () => ({ plugins, files: options.files, stdin: options.stdin, env: env(), baseDir: snapshot.config.baseDir });
  const stageTimeoutMs = options.stageTimeoutMs ?? DEFAULT_STAGE_TIMEOUT_MS;

  const closingFailure = (): Failure => ({ ok: false, reason: 'closing', message: 'gw is draining: no new configuration is applied' });

  /** Under the lock: load, check, start. The caller releases the lock (commit, discard or failure). */
  const stageLocked = async (source: ConfigSource, checkHash: boolean, release: () => void): Promise<Staged | Failure> => {
    if (draining) return closingFailure();
    const resolved = await resolveSource(source, options);
    const loaded = await loadSource(resolved, context());
    if (!loaded.ok) return { ok: false, reason: 'invalid', problems: loaded.problems };
    const hash = configurationHash(loaded.config);
    const origin = source.kind === 'files' ? 'files' : 'admin';
    const next = (): Snapshot => ({ config: loaded.config, hash, secrets: loaded.secrets, warnings: loaded.warnings, origin, loadedAt: new Date() });
    const unchanged = checkHash && hash === snapshot.hash;
    let prepared: PreparedRuntime | undefined;
    if (!unchanged) {
      try {
        prepared = await gateway.prepare(loaded.config, resolved);
      } catch (error) {
        if (draining) return closingFailure();
        return { ok: false, reason: 'refused', message: error instanceof Error ? error.message : String(error) };
      }
    }
    let settled: 'committed' | 'discarded' | 'expired' | undefined;
    const settle = (as: 'committed' | 'discarded') => {
      if (settled === 'expired') throw new Error(`this staged config was discarded: neither committed nor discarded within ${stageTimeoutMs} ms`);
      if (settled) throw new Error('this staged config was committed or discarded already');
      settled = as;
      clearTimeout(expiry);
    };
    const drop = async () => {
      try {
        if (prepared) await gateway.discard(prepared);
      } finally {
        release();
      }
    };
    const expiry = setTimeout(() => {
      if (settled) return;
      settled = 'expired';
      logger.warn(`a staged configuration was neither committed nor discarded within ${stageTimeoutMs} ms: discarded, the running one keeps serving`);
      drop().catch((error: unknown) => logger.error(`discarding an expired staged configuration failed: ${String(error)}`));
    }, stageTimeoutMs);
    expiry.unref();
    return {
      ok: true,
      hash,
      changed: hash !== snapshot.hash,
      config: loaded.config,
      warnings: loaded.warnings,
      commit: async () => {
        settle('committed');
        if (!prepared) {
          release();
          return snapshot;
        }
        try {
          await gateway.activate(prepared);
          snapshot = next();
          return snapshot;
        } finally {
          release();
        }
      },
      discard: async () => {
        settle('discarded');
        await drop();
      },
    };
  };

  const stage = async (source: ConfigSource, opts: { checkHash?: boolean } = {}): Promise<Staged | Failure> => {
    const release = await acquire();
    try {
      const staged = await stageLocked(source, opts.checkHash === true, release);
      if (!staged.ok) release();
      return staged;
    } catch (error) {
      release();
      throw error;
    }
  };

  const report = (source: ConfigSource, outcome: ReloadOutcome) => {
    const what = source.kind === 'files' ? options.files.join(', ') : 'a configuration from the admin API';
    if (outcome.ok) {
      const { snapshot: s } = outcome;
      if (!outcome.changed && source.kind === 'text') {
        logger.info(`admin API: configuration unchanged (hash ${s.hash}); nothing applied`);
        return;
      }
      for (const warning of s.warnings) logger.warn(warning);
      logger.info(`${source.kind === 'files' ? 'reloaded' : 'applied'} ${what} (${describeConfig(s.config)})`);
      const host = options.exposedHost;
      for (const warning of openRouteWarnings(findOpenRoutes(s.config, plugins), host === undefined ? undefined : { host })) logger.warn(warning);
      return;
    }
    const failed = source.kind === 'files' ? 'reload failed:' : 'admin API: configuration refused:';
    if (outcome.reason === 'invalid') {
      // A posted config's problems go back to whoever posted it; the log says only that it was refused.
      if (source.kind === 'files') for (const p of outcome.problems) logger.error(formatProblem(p));
      const n = outcome.problems.length;
      logger.error(`${failed} ${n} problem${n === 1 ? '' : 's'}; the previous configuration keeps serving`);
    } else if (outcome.reason === 'refused') {
      logger.error(`${failed} ${outcome.message}; the previous configuration keeps serving`);
    }
  };

  return {
    current: () => snapshot,
    stage,
    async reload(source, opts = {}) {
      const staged = await stage(source, opts);
      let outcome: ReloadOutcome;
      if (!staged.ok) outcome = staged;
      else {
        try {
          outcome = { ok: true, changed: staged.changed, snapshot: await staged.commit() };
        } catch (error) {
          // activate refuses only when the gateway began closing meanwhile.
          outcome = draining ? closingFailure() : { ok: false, reason: 'refused', message: error instanceof Error ? error.message : String(error) };
        }
      }
      report(source, outcome);
      return outcome;
    },
    reloadTls: () =>
      serially(async () => {
        if (!options.tls) return undefined;
        const outcome = await readTls(options.tls).then(async (tls) => {
          if (typeof tls === 'string') return { ok: false as const, message: tls };
          try {
            await gateway.reloadTls(tls);
            return { ok: true as const };
          } catch (error) {
            // OpenSSL's reason only (e.g. a key that doesn't match the certificate): never the file contents.
            return { ok: false as const, message: error instanceof Error ? error.message : String(error) };
          }
        });
        if (outcome.ok) logger.info(`reloaded the TLS certificate ${options.tls.cert}`);
        else logger.error(`TLS certificate not reloaded: ${outcome.message}; the previous one keeps serving`);
        return outcome;
      }),
    reopen: () =>
      serially(async () => {
        await gateway.reopen();
        logger.info('reopened log files');
      }),
    async drain(drainMs) {
      // Not queued: a drain must not wait behind a slow reload (which then finds the gateway closing).
      draining = true;
      await gateway.close({ drainMs });
    },
    get draining() {
      return draining;
    },
    get inFlight() {
      return gateway.inFlight;
    },
  };
}
