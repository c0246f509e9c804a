/**
 * A cluster worker (`gw start --workers N`): asks its primary what to serve, serves it on the shared
 * listeners (node:cluster hands the primary's sockets out), and does what the primary asks: stage, commit
 * or discard a config on its own lifecycle controller, reload TLS, reopen logs, report its counters, drain.
 *
 * Signals are the primary's business: a terminal's Ctrl-C or a closed terminal reaches every process of
 * the group, so SIGINT, SIGHUP and SIGUSR1 are ignored here (the primary passes them on, once). A SIGTERM
 * sent to a worker alone drains that worker, and the primary starts another; a primary that went away
 * (its channel closed) makes the worker drain and exit too.
 */
import { dirname, resolve } from 'node:path';
import type { Logger } from '@gw/plugin-api';
import { formatProblem } from '../config/model.js';
import { createLifecycle, DEFAULT_STAGE_TIMEOUT_MS, type Lifecycle, type Staged } from '../lifecycle/controller.js';
import { loadSource } from '../lifecycle/source.js';
import type { PluginRegistry } from '../runtime/registry.js';
import { createGateway, type Gateway, type GatewayOptions } from '../server/gateway.js';
import { snapshotOf } from '../status/status-app.js';
import { TIMEOUTS, type EndpointCall, type ForwardedResponse, type StageReply, type WorkerInit, type WorkerReady } from './protocol.js';
import { createRpc } from './rpc.js';

export interface WorkerOptions {
  plugins: PluginRegistry;
  /** The files gw start was given (names for problems; the texts come from the primary). */
  files: string[];
  logger: Logger;
  /** Everything createGateway takes but the config, the plugins, the logger and the node id. */
  gateway: Omit<GatewayOptions, 'config' | 'plugins' | 'nodeId' | 'logger'>;
  /** The proxy listener's host; the TLS listener's, when there is one. */
  host: string;
  tlsHost?: string;
  exposedHost?: string;
  drainMs: number;
}

/** Serves until drained; resolves with the exit code. */
export async function runWorker(options: WorkerOptions): Promise<number> {
  const { logger, plugins } = options;
  let gateway: Gateway | undefined;
  let lifecycle: Lifecycle | undefined;
  const staged = new Map<number, Staged>();
  /** Stages the primary dropped before they were done (it gave up waiting): dropped once done. */
  const cancelled = new Set<number>();
  let stopped!: (code: number) => void;
  const done = new Promise<number>((r) => (stopped = r));
  let drainAsked: { ms: number; why: string } | undefined;

  const startDrain = (live: Lifecycle, { ms, why }: { ms: number; why: string }) => {
    const inFlight = live.inFlight;
    logger.info(`${why}: draining ${inFlight} in-flight request${inFlight === 1 ? '' : 's'} (up to ${ms} ms)`);
    live.drain(ms).then(
      () => stopped(0),
      (error: unknown) => {
        logger.error(`shutdown failed: ${error instanceof Error ? error.message : String(error)}`);
        stopped(1);
      },
    );
  };
  /** Asked while starting, it waits until the gateway is up (then closes it). */
  const drain = (ms: number, why: string) => {
    if (drainAsked) return;
    drainAsked = { ms, why };
    if (lifecycle) startDrain(lifecycle, drainAsked);
  };
  const started = () => {
    if (!gateway || !lifecycle) throw new Error('this worker has not started yet');
    return { gateway, lifecycle };
  };
  const endpoint = (path: string) => {
    for (const plugin of plugins.values()) for (const e of plugin.statusEndpoints ?? []) if (e.path === path) return e;
    throw new Error(`no status endpoint ${path}`);
  };

  const rpc = createRpc((message) => process.send!(message), {
    async stage(args) {
      const { id, source } = args as { id: number; source: WorkerInit['source'] };
      const outcome = await started().lifecycle.stage(source);
      if (!outcome.ok) return outcome satisfies StageReply;
      if (cancelled.delete(id)) {
        await outcome.discard();
        return { ok: false, reason: 'refused', message: 'the primary gave up waiting for this worker' } satisfies StageReply;
      }
      staged.set(id, outcome);
      return { ok: true, hash: outcome.hash } satisfies StageReply;
    },
    async commit(args) {
      const id = args as number;
      const s = staged.get(id);
      if (!s) throw new Error(`nothing staged as ${id}`);
      staged.delete(id);
      await s.commit();
      return started().gateway.configurationHash;
    },
    async discard(args) {
      const id = args as number;
      const s = staged.get(id);
      staged.delete(id);
      if (s) await s.discard();
      else cancelled.add(id);
    },
    reloadTls: (args) => started().gateway.reloadTls(args as { cert: Buffer; key: Buffer }),
    reopen: () => started().gateway.reopen(),
    drain(args) {
      drain(args as number, 'asked by the primary');
    },
    status: () => snapshotOf(started().gateway.node),
    collect(args) {
      const { path, url } = args as EndpointCall;
      const e = endpoint(path);
      if (!e.cluster) throw new Error(`${path} has no cluster collect`);
      return e.cluster.collect(new Request(url), started().gateway.node);
    },
    async forward(args) {
      const { path, url } = args as EndpointCall;
      const response = await endpoint(path).handle(new Request(url), started().gateway.node);
      const headers: [string, string][] = [];
      response.headers.forEach((value, key) => headers.push([key, value]));
      return { status: response.status, headers, body: await response.text() } satisfies ForwardedResponse;
    },
  });
  process.on('message', (message) => rpc.receive(message));
  process.on('disconnect', () => drain(options.drainMs, 'the primary went away'));
  for (const signal of ['SIGINT', 'SIGHUP', 'SIGUSR1'] as const) process.on(signal, () => undefined);
  process.on('SIGTERM', () => drain(options.drainMs, 'SIGTERM'));

  try {
    const init = await rpc.call<WorkerInit>('init', undefined, TIMEOUTS.quick);
    const context = { plugins, files: options.files, env: process.env, baseDir: dirname(resolve(options.files[0] ?? 'kong.yaml')) };
    const loaded = await loadSource(init.source, context);
    // The primary loaded the same texts with the same environment before handing them out.
    if (!loaded.ok) throw new Error(`the configuration does not load here:\n${loaded.problems.map(formatProblem).join('\n')}`);
    gateway = await createGateway({ ...options.gateway, config: loaded.config, plugins, logger, nodeId: init.nodeId });
    lifecycle = createLifecycle({
      gateway,
      plugins,
      initial: loaded,
      files: options.files,
      logger,
      exposedHost: options.exposedHost,
      // Longer than the primary waits for every worker to stage, then to commit.
      stageTimeoutMs: Math.max(DEFAULT_STAGE_TIMEOUT_MS, TIMEOUTS.stage + TIMEOUTS.commit + 10_000),
    });
    const proxy = await gateway.listen(init.port, options.host);
    const tls = init.tls && init.tlsPort !== undefined ? await gateway.listenTls(init.tlsPort, options.tlsHost ?? options.host, init.tls) : undefined;
    if (drainAsked) startDrain(lifecycle, drainAsked);
    else await rpc.call('ready', { proxy, tls, hash: gateway.configurationHash } satisfies WorkerReady, TIMEOUTS.quick);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    await rpc.call('failed', message, TIMEOUTS.quick).catch(() => undefined);
    if (gateway) await gateway.close({ drainMs: 0 });
    return 1;
  }
  return done;
}
