/**
 * `gw start --workers N`: this process becomes the cluster's primary and node:cluster runs the same
 * command N times as its workers (cluster.isWorker). The primary loads and checks the config once, starts
 * the workers with the texts it read, holds the status listener and the admin API, and takes the signals;
 * the workers serve the proxy listeners (docs/architecture.md, "Several workers").
 */
import { availableParallelism } from 'node:os';
import { configurationHash, createLifecycle, createPrimary, describeConfig, followSignals, loadConfig, readConfigTexts, runWorker, type PluginRegistry } from '@gw/core';
import type { Logger } from '@gw/plugin-api';
import { describeProxySettings, readProxyEnv, type ProxySettings } from '@gw/proxy-env';
import { loadPlugins, stdinOf } from '../load.js';
import { describeError, err, out, plural, printProblems, stderrLogger } from '../output.js';
import { exposedHost, settingsOf, warnOpenRoutes, type StartOptions } from './start.js';
import { hostPort, listenSideApis, url } from './side-listeners.js';

/** `--workers auto`: one per core this process may use. */
export function autoWorkers(): number {
  return availableParallelism();
}

interface Prepared {
  plugins: PluginRegistry;
  tls?: { files: { cert: string; key: string }; pair: { cert: Buffer; key: Buffer } };
  proxyEnv: ProxySettings | undefined;
}

export async function runPrimary(opts: StartOptions, { plugins, tls, proxyEnv }: Prepared): Promise<number> {
  const count = opts.workers!;
  const stdin = await stdinOf(opts.state);
  // Read once: every worker gets these very texts, at start and on every SIGHUP.
  const texts = await readConfigTexts(opts.state, stdin);
  const loaded = await loadConfig(opts.state, { env: process.env, mode: 'expand', plugins, stdin, texts });
  if (!loaded.ok) {
    printProblems(loaded.problems);
    err(`invalid: ${plural(loaded.problems.length, 'problem')} in ${opts.state.join(', ')}`);
    return 1;
  }
  for (const warning of loaded.warnings) err(`warning: ${warning}`);
  warnOpenRoutes(loaded.config, plugins, opts);

  const primary = createPrimary({
    workers: count,
    plugins,
    source: { kind: 'files', texts },
    hash: configurationHash(loaded.config),
    logger: stderrLogger,
    port: opts.port,
    tls: tls && opts.sslListen ? { port: opts.sslListen.port, pair: tls.pair } : undefined,
  });
  const lifecycle = createLifecycle({ gateway: primary, plugins, initial: loaded, files: opts.state, stdin, tls: tls?.files, logger: stderrLogger, exposedHost: exposedHost(opts) });
  const stopped = followSignals(lifecycle, {
    drainMs: opts.drainTimeout,
    logger: stderrLogger,
    describeError: (error) => describeError(error, opts.debug ?? false),
    describeInFlight: () => plural(primary.workerPids().length, 'worker'),
  });
  let bound;
  try {
    bound = await primary.start();
  } catch (error) {
    err(`gw: error: ${describeError(error, opts.debug ?? false)}`);
    await primary.close({ drainMs: 0 });
    return 1;
  }
  out(`gw listening on ${url(bound.proxy)} (${describeConfig(loaded.config)}; ${plural(count, 'worker')})`);
  if (proxyEnv !== undefined) out(describeProxySettings(proxyEnv));
  const listening: Record<string, string[]> = { proxy_listen: [hostPort(bound.proxy)], status_listen: [], admin_listen: [] };
  try {
    if (bound.tls) {
      out(`gw listening on ${url(bound.tls, 'https')} (TLS)`);
      listening.proxy_listen.push(`${hostPort(bound.tls)} ssl`);
    }
    await listenSideApis(primary, {
      statusListen: opts.statusListen,
      adminListen: opts.adminListen,
      admin: {
        lifecycle,
        plugins,
        token: opts.adminToken || undefined,
        logger: stderrLogger,
        headerPolicy: settingsOf(opts, undefined).headerPolicy,
        workerPids: () => primary.workerPids(),
      },
      listening,
    });
  } catch (error) {
    await primary.close({ drainMs: 0 });
    throw error;
  }
  return stopped;
}

/** A worker: the same flags, its config from the primary; log lines say which worker. */
export async function runWorkerProcess(opts: StartOptions): Promise<number> {
  const prefix = `worker ${process.env.GW_WORKER_ID ?? '?'}: `;
  const logger: Logger = {
    info: (message) => stderrLogger.info(prefix + message),
    warn: (message) => stderrLogger.warn(prefix + message),
    error: (message) => stderrLogger.error(prefix + message),
  };
  // The primary checked the proxy variables and printed their warnings.
  const proxyEnv = readProxyEnv(process.env);
  const plugins = await loadPlugins(opts.state, opts.plugins);
  return runWorker({
    plugins,
    files: opts.state,
    logger,
    gateway: settingsOf(opts, proxyEnv.settings),
    host: opts.host,
    tlsHost: opts.sslListen?.host ?? opts.host,
    exposedHost: exposedHost(opts),
    drainMs: opts.drainTimeout,
  });
}
