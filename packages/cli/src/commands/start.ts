/**
 * `gw start`: load, serve, and follow the signals an operator sends:
 *   SIGHUP           re-read the files (and the TLS certificate); an invalid one leaves the running one serving
 *   SIGUSR1          reopen log files (after logrotate moved them)
 *   SIGTERM, SIGINT  stop accepting, let in-flight requests finish within --drain-timeout, exit 0
 */
import { readFileSync } from 'node:fs';
import { createGateway, findOpenRoutes, isLoopback, openRouteWarnings, parseHeaderPolicy, summarize, type Gateway, type GatewayConfig, type PluginRegistry } from '@gw/core';
import { describeProxySettings, readProxyEnv } from '@gw/proxy-env';
import { loadPlugins, readConfig } from '../load.js';
import { describeError, err, out, plural, printProblems, stderrLogger } from '../output.js';

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
  statusListen?: { host: string | undefined; port: number };
  sslListen?: { host: string | undefined; port: number };
  sslCert?: string;
  sslCertKey?: string;
  debug?: boolean;
}

/** Resolves with the exit code once the gateway has stopped. */
export async function runStart(opts: StartOptions): Promise<number> {
  const tls = readTls(opts);
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
  const loaded = await readConfig(opts.state, plugins, 'expand');
  if (!loaded.ok) {
    printProblems(loaded.problems);
    err(`invalid: ${plural(loaded.problems.length, 'problem')} in ${opts.state.join(', ')}`);
    return 1;
  }
  for (const warning of loaded.warnings) err(`warning: ${warning}`);
  warnOpenRoutes(loaded.config, plugins, opts);

  const gateway = await createGateway({
    config: loaded.config,
    plugins,
    logger: stderrLogger,
    idleGcMs: opts.idleGc,
    clientBodyTimeoutMs: opts.clientBodyTimeout,
    clientHeaderTimeoutMs: opts.clientHeaderTimeout,
    underscoresInHeaders: opts.underscoresInHeaders,
    // Both values were checked when the flags were parsed.
    headerPolicy: parseHeaderPolicy(opts.headers, opts.headersUpstream),
    outboundProxy: proxyEnv.settings,
  });
  // Handlers go in before anyone can learn the address: a SIGHUP right after it must not kill gw.
  const stopped = followSignals(gateway, plugins, opts);
  let address: { port: number; host: string };
  try {
    address = await gateway.listen(opts.port, opts.host);
  } catch (error) {
    await gateway.close({ drainMs: 0 });
    throw error;
  }
  out(`gw listening on ${url(address)} (${describe(loaded.config)})`);
  if (proxyEnv.settings !== undefined) out(describeProxySettings(proxyEnv.settings));
  try {
    if (opts.sslListen && tls) {
      const secure = await gateway.listenTls(opts.sslListen.port, opts.sslListen.host ?? opts.host, tls);
      out(`gw listening on ${url(secure, 'https')} (TLS)`);
    }
    if (opts.statusListen) {
      const status = await gateway.listenStatus(opts.statusListen.port, opts.statusListen.host ?? '127.0.0.1');
      out(`gw status on ${url(status)}/status`);
    }
  } catch (error) {
    await gateway.close({ drainMs: 0 });
    throw error;
  }
  return stopped;
}

/** The proxy listeners' addresses that other machines can reach (none with the default 127.0.0.1). */
function exposedHost(opts: StartOptions): string | undefined {
  const hosts = [opts.host, ...(opts.sslListen ? [opts.sslListen.host ?? opts.host] : [])];
  return hosts.find((host) => !isLoopback(host));
}

/** Routes that spend the gateway's credentials without authentication; louder when the listener is exposed. */
function warnOpenRoutes(config: GatewayConfig, plugins: PluginRegistry, opts: StartOptions): void {
  const host = exposedHost(opts);
  for (const warning of openRouteWarnings(findOpenRoutes(config, plugins), host === undefined ? undefined : { host })) err(`warning: ${warning}`);
}

function url(address: { host: string; port: number }, scheme = 'http'): string {
  return `${scheme}://${address.host.includes(':') ? `[${address.host}]` : address.host}:${address.port}`;
}

/** The certificate and key for --ssl-listen, read before anything starts; a message when they can't be. */
function readTls(opts: StartOptions): { cert: Buffer; key: Buffer } | undefined | string {
  if (!opts.sslListen) {
    return opts.sslCert || opts.sslCertKey ? '--ssl-cert and --ssl-cert-key need --ssl-listen' : undefined;
  }
  if (!opts.sslCert || !opts.sslCertKey) return '--ssl-listen needs --ssl-cert and --ssl-cert-key';
  const read = (file: string, what: string): Buffer | string => {
    try {
      return readFileSync(file);
    } catch (error) {
      // The code only (ENOENT, EACCES): never file contents.
      return `cannot read the TLS ${what} ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`;
    }
  };
  const cert = read(opts.sslCert, 'certificate');
  if (typeof cert === 'string') return cert;
  const key = read(opts.sslCertKey, 'key');
  if (typeof key === 'string') return key;
  return { cert, key };
}

function describe(config: GatewayConfig): string {
  const { routes, plugins } = summarize(config);
  const pluginCount = Object.values(plugins).reduce((sum, count) => sum + count, 0);
  return `${plural(routes, 'route')}, ${plural(pluginCount, 'plugin')}`;
}

function followSignals(gateway: Gateway, plugins: PluginRegistry, opts: StartOptions): Promise<number> {
  // Signals are handled one at a time: a SIGHUP during a reload waits for it, then reloads again.
  let queue: Promise<void> = Promise.resolve();
  const serially = (task: () => Promise<void>) => {
    queue = queue.then(task).catch((error: unknown) => stderrLogger.error(describeError(error, opts.debug ?? false)));
  };

  const reload = async () => {
    const loaded = await readConfig(opts.state, plugins, 'expand');
    if (!loaded.ok) {
      printProblems(loaded.problems);
      stderrLogger.error(`reload failed: ${plural(loaded.problems.length, 'problem')}; the previous configuration keeps serving`);
      return;
    }
    for (const warning of loaded.warnings) err(`warning: ${warning}`);
    try {
      await gateway.reload(loaded.config);
    } catch (error) {
      stderrLogger.error(`reload failed: ${describeError(error, opts.debug ?? false)}; the previous configuration keeps serving`);
      return;
    }
    stderrLogger.info(`reloaded ${opts.state.join(', ')} (${describe(loaded.config)})`);
    warnOpenRoutes(loaded.config, plugins, opts);
  };

  // cert-manager and friends replace the files in place: SIGHUP picks them up for new handshakes.
  const reloadCertificate = () => {
    if (!opts.sslListen) return;
    const tls = readTls(opts);
    if (typeof tls !== 'object') {
      stderrLogger.error(`TLS certificate not reloaded: ${tls ?? 'no certificate'}; the previous one keeps serving`);
      return;
    }
    try {
      gateway.reloadTls(tls);
    } catch (error) {
      // OpenSSL's reason only (e.g. a key that doesn't match the certificate): never the file contents.
      stderrLogger.error(`TLS certificate not reloaded: ${describeError(error, false)}; the previous one keeps serving`);
      return;
    }
    stderrLogger.info(`reloaded the TLS certificate ${opts.sslCert}`);
  };

  const reopen = async () => {
    await gateway.reopen();
    stderrLogger.info('reopened log files');
  };

  return new Promise((resolve) => {
    // The certificate is reloaded whether or not the config file is valid: they are independent.
    const onHup = () =>
      serially(async () => {
        reloadCertificate();
        await reload();
      });
    const onUsr1 = () => serially(reopen);
    let stopping = false;
    const onStop = (signal: NodeJS.Signals) => {
      if (stopping) {
        stderrLogger.warn(`${signal} again: exiting without waiting for ${plural(gateway.inFlight, 'request')}`);
        resolve(1);
        return;
      }
      stopping = true;
      process.off('SIGHUP', onHup).off('SIGUSR1', onUsr1);
      stderrLogger.info(`${signal}: draining ${plural(gateway.inFlight, 'in-flight request')} (up to ${opts.drainTimeout} ms)`);
      gateway.close({ drainMs: opts.drainTimeout }).then(
        () => {
          stderrLogger.info('gw stopped');
          resolve(0);
        },
        (error: unknown) => {
          stderrLogger.error(`shutdown failed: ${describeError(error, opts.debug ?? false)}`);
          resolve(1);
        },
      );
    };
    process.on('SIGHUP', onHup).on('SIGUSR1', onUsr1).on('SIGTERM', onStop).on('SIGINT', onStop);
  });
}
