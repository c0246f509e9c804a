/**
 * `gw start`: load, serve, and hand the running gateway to the lifecycle controller (@gw/core lifecycle/),
 * which the signals (SIGHUP reload, SIGUSR1 reopen, SIGTERM/SIGINT drain) and the admin API call. With
 * `--workers N`, this process is the cluster's primary (start-cluster.ts) and the same command, run by
 * node:cluster, its workers.
 */
import cluster from 'node:cluster';
import { adminListenRefusal, createGateway, createLifecycle, describeConfig, findOpenRoutes, followSignals, isLoopback, openRouteWarnings, parseHeaderPolicy, readTls, type GatewayConfig, type GatewayOptions, type PluginRegistry } from '@gw/core';
import { describeProxySettings, readProxyEnv, type ProxySettings } from '@gw/proxy-env';
import { loadPlugins, readConfig, stdinOf } from '../load.js';
import { describeError, err, out, plural, printProblems, stderrLogger } from '../output.js';
import { runPrimary, runWorkerProcess } from './start-cluster.js';
import { hostPort, listenSideApis, url } from './side-listeners.js';

export type ListenAddress = { host: string | undefined; port: number };

export interface StartOptions {
  state: string[];
  port: number;
  host: string;
  plugins?: string;
  drainTimeout: number;
  idleGc: number;
  clientBodyTimeout: number;
  clientHeaderTimeout: number;
  underscoresInHeaders: boolean;
  headers: string;
  headersUpstream: string;
  statusListen?: ListenAddress;
  sslListen?: ListenAddress;
  sslCert?: string;
  sslCertKey?: string;
  adminListen?: ListenAddress;
  adminToken?: string;
  /** `--workers N` (a number, or `auto`: resolved by the flag's parser); absent: one process. */
  workers?: number;
  debug?: boolean;
}

/** Resolves with the exit code once the gateway has stopped. */
export async function runStart(opts: StartOptions): Promise<number> {
  if (cluster.isWorker) return runWorkerProcess(opts);
  const refusal = checkFlags(opts);
  if (refusal) {
    err(`gw: error: ${refusal}`);
    return 1;
  }
  const tlsFiles = opts.sslListen ? { cert: opts.sslCert!, key: opts.sslCertKey! } : undefined;
  const tls = tlsFiles ? await readTls(tlsFiles) : undefined;
  if (typeof tls === 'string') {
    err(`gw: error: ${tls}`);
    return 1;
  }
  // HTTPS_PROXY, HTTP_PROXY, NO_PROXY: read once (a process's environment does not change; SIGHUP keeps them).
  const proxyEnv = readProxyEnv(process.env);
  if (proxyEnv.problems.length > 0) {
    for (const problem of proxyEnv.problems) err(`gw: error: ${problem}`);
    return 1;
  }
  for (const warning of proxyEnv.warnings) err(`warning: ${warning}`);
  const plugins = await loadPlugins(opts.state, opts.plugins);
  if (opts.workers !== undefined) return runPrimary(opts, { plugins, tls: tls && tlsFiles ? { files: tlsFiles, pair: tls } : undefined, proxyEnv: proxyEnv.settings });
  const loaded = await readConfig(opts.state, plugins, 'expand');
  if (!loaded.ok) {
    printProblems(loaded.problems);
    err(`invalid: ${plural(loaded.problems.length, 'problem')} in ${opts.state.join(', ')}`);
    return 1;
  }
  for (const warning of loaded.warnings) err(`warning: ${warning}`);
  warnOpenRoutes(loaded.config, plugins, opts);

  const gatewaySettings = settingsOf(opts, proxyEnv.settings);
  const { headerPolicy } = gatewaySettings;
  const gateway = await createGateway({ ...gatewaySettings, config: loaded.config, plugins, logger: stderrLogger });
  const lifecycle = createLifecycle({
    gateway,
    plugins,
    initial: loaded,
    files: opts.state,
    stdin: await stdinOf(opts.state),
    tls: tlsFiles,
    logger: stderrLogger,
    exposedHost: exposedHost(opts),
  });
  // Handlers go in before anyone can learn the address: a SIGHUP right after it must not kill gw.
  const stopped = followSignals(lifecycle, { drainMs: opts.drainTimeout, logger: stderrLogger, describeError: (error) => describeError(error, opts.debug ?? false) });
  let address: { port: number; host: string };
  try {
    address = await gateway.listen(opts.port, opts.host);
  } catch (error) {
    await gateway.close({ drainMs: 0 });
    throw error;
  }
  out(`gw listening on ${url(address)} (${describeConfig(loaded.config)})`);
  if (proxyEnv.settings !== undefined) out(describeProxySettings(proxyEnv.settings));
  /** Kong's kong.conf names for the addresses bound, for GET / on the admin API. */
  const listening: Record<string, string[]> = { proxy_listen: [hostPort(address)], status_listen: [], admin_listen: [] };
  try {
    if (opts.sslListen && tls) {
      const secure = await gateway.listenTls(opts.sslListen.port, opts.sslListen.host ?? opts.host, tls);
      out(`gw listening on ${url(secure, 'https')} (TLS)`);
      listening.proxy_listen.push(`${hostPort(secure)} ssl`);
    }
    await listenSideApis(gateway, {
      statusListen: opts.statusListen,
      adminListen: opts.adminListen,
      admin: { lifecycle, plugins, token: opts.adminToken || undefined, logger: stderrLogger, headerPolicy },
      listening,
    });
  } catch (error) {
    await gateway.close({ drainMs: 0 });
    throw error;
  }
  return stopped;
}

/** The gateway's settings from the flags (the same in one process and in every worker). */
export function settingsOf(opts: StartOptions, outboundProxy: ProxySettings | undefined) {
  return {
    idleGcMs: opts.idleGc,
    clientBodyTimeoutMs: opts.clientBodyTimeout,
    clientHeaderTimeoutMs: opts.clientHeaderTimeout,
    underscoresInHeaders: opts.underscoresInHeaders,
    // Both values were checked when the flags were parsed.
    headerPolicy: parseHeaderPolicy(opts.headers, opts.headersUpstream),
    outboundProxy,
  } satisfies Omit<GatewayOptions, 'config' | 'plugins'>;
}

/** Flag combinations refused before anything starts. */
function checkFlags(opts: StartOptions): string | undefined {
  if (!opts.sslListen && (opts.sslCert || opts.sslCertKey)) return '--ssl-cert and --ssl-cert-key need --ssl-listen';
  if (opts.sslListen && (!opts.sslCert || !opts.sslCertKey)) return '--ssl-listen needs --ssl-cert and --ssl-cert-key';
  if (opts.adminListen) return adminListenRefusal(opts.adminListen.host ?? '127.0.0.1', opts.adminToken);
  if (opts.adminToken) return '--admin-token (or GW_ADMIN_TOKEN) needs --admin-listen';
  return undefined;
}

/** The proxy listeners' addresses that other machines can reach (none with the default 127.0.0.1). */
export function exposedHost(opts: StartOptions): string | undefined {
  const hosts = [opts.host, ...(opts.sslListen ? [opts.sslListen.host ?? opts.host] : [])];
  return hosts.find((host) => !isLoopback(host));
}

/** Routes that spend the gateway's credentials without authentication; louder when the listener is exposed. */
export function warnOpenRoutes(config: GatewayConfig, plugins: PluginRegistry, opts: StartOptions): void {
  const host = exposedHost(opts);
  for (const warning of openRouteWarnings(findOpenRoutes(config, plugins), host === undefined ? undefined : { host })) err(`warning: ${warning}`);
}

