/**
 * The gateway: the proxy listener, a raw Node `http` handler straight into the pipeline (a proxy must
 * not pay for a framework's Request/Context per request: decisions/0008), the optional status listener
 * (a hono app, status/), the optional admin listener (admin/, served here so it closes in order), and the
 * mechanics of a reload: prepare a runtime (router + plugin plan, plugins started) without touching the
 * running one, then activate it in one assignment; a request keeps the runtime it started on, and the old
 * plan is closed when its last request is done. Reopen (log rotation) and close with drain. When to do
 * these, and from what source, is the lifecycle controller's business (lifecycle/).
 */
import { randomUUID } from 'node:crypto';
import { createServer, type RequestListener, type Server } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import type { Logger } from '@gw/plugin-api';
import type { GatewayConfig } from '../config/model.js';
import { createAgents } from '../proxy/agents.js';
import { DEFAULT_HEADER_POLICY } from '../proxy/header-policy.js';
import { createRouter } from '../router/index.js';
import { createConsumerIndex } from '../runtime/consumer-index.js';
import { createPluginPlan } from '../runtime/plan.js';
import { routerInput } from '../runtime/router-input.js';
import type { PluginRegistry } from '../runtime/registry.js';
import { createStatusApp, pluginReports, type StatusSource } from '../status/status-app.js';
import { configurationHash } from '../lifecycle/config-hash.js';
import { exposedGc, startIdleGc, type IdleGc, type IdleGcActivity } from './idle-gc.js';
import { bodyTimedOut, handleRequest, type PipelineDeps, type Runtime } from './pipeline.js';
import { startClientTimeouts } from './client-timeouts.js';
import { GW_VERSION } from './version.js';
import { DEFAULT_CLIENT_TIMEOUT_MS, type Gateway, type GatewayOptions, type PreparedRuntime } from './gateway-types.js';

export { DEFAULT_CLIENT_TIMEOUT_MS, type Gateway, type GatewayOptions, type PreparedRuntime } from './gateway-types.js';

const consoleLogger: Logger = {
  info: (m) => console.log(m),
  warn: (m) => console.warn(m),
  error: (m) => console.error(m),
};

async function buildRuntime(config: GatewayConfig, plugins: PluginRegistry, logger: Logger, nodeId: string): Promise<Runtime> {
  // The router first: it throws on a bad route before any plugin instance is created.
  const router = createRouter({ ...routerInput(config), declaredIds: config.declaredRouteIds });
  const plan = await createPluginPlan(config, plugins, { logger, nodeId });
  return {
    router,
    plan,
    consumers: createConsumerIndex(config.consumers),
    inFlight: 0,
    hash: configurationHash(config),
    loadedAt: Date.now(),
    upstreamTls: config.upstreamTls,
  };
}

function startIdle(quietMs: number | undefined, activity: IdleGcActivity, logger: Logger): IdleGc | undefined {
  if (quietMs === undefined || quietMs <= 0) return undefined;
  const collect = exposedGc();
  if (collect === undefined) {
    logger.warn("idle GC is off: this Node doesn't hand out V8's gc()");
    return undefined;
  }
  return startIdleGc({ activity, quietMs, collect });
}

function listenOn(server: Server, port: number, host: string): Promise<{ port: number; host: string }> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const addr = server.address() as AddressInfo;
      resolve({ port: addr.port, host: addr.address });
    });
  });
}

export async function createGateway(options: GatewayOptions): Promise<Gateway> {
  const logger = options.logger ?? consoleLogger;
  const nodeId = options.nodeId ?? randomUUID();
  let current = await buildRuntime(options.config, options.plugins, logger, nodeId);
  const retired = new Set<Runtime>();
  const live = new Set<Runtime>([current]);
  const agents = createAgents({ proxy: options.outboundProxy });
  const headerTimeout = options.clientHeaderTimeoutMs ?? DEFAULT_CLIENT_TIMEOUT_MS;
  const clientTimeouts = startClientTimeouts({ bodyMs: options.clientBodyTimeoutMs ?? DEFAULT_CLIENT_TIMEOUT_MS, headerMs: headerTimeout }, bodyTimedOut);
  let closing = false;
  let forcing = false;
  let idleWaiters: Array<() => void> = [];

  const inFlight = () => {
    let n = 0;
    for (const r of live) n += r.inFlight;
    return n;
  };
  const retire = async (r: Runtime) => {
    live.delete(r);
    retired.delete(r);
    await r.plan.close();
  };

  const deps: PipelineDeps = {
    agents,
    logger,
    headerPolicy: options.headerPolicy ?? DEFAULT_HEADER_POLICY,
    closing: () => closing,
    forcedClose: () => forcing,
    clientTimeouts,
    underscoresInHeaders: options.underscoresInHeaders === true,
    done(runtime) {
      if (runtime.inFlight === 0 && retired.has(runtime)) {
        void retire(runtime).catch((err) => logger.error(`closing a retired plugin plan failed: ${String(err)}`));
      }
      if (idleWaiters.length > 0 && inFlight() === 0) {
        const waiters = idleWaiters;
        idleWaiters = [];
        for (const w of waiters) w();
      }
    },
  };

  let totalRequests = 0;
  const connections = { accepted: 0, active: 0 };
  const idleGc = startIdle(options.idleGcMs, { started: () => totalRequests, inFlight }, logger);
  // The pipeline consumes or pipes every body itself; Node dumps one left unread when the response ends.
  const onRequest: RequestListener = (req, res) => {
    totalRequests++;
    handleRequest(current, deps, req, res);
  };
  const countConnection = (socket: Socket) => {
    connections.accepted++;
    connections.active++;
    socket.on('close', () => connections.active--);
    clientTimeouts.accepted(socket);
  };
  const serverOptions = {
    // Long model streams: never cut a response because the whole exchange took long (service timeouts apply).
    requestTimeout: 0,
    // A request head that stops half-way: Node answers 408 and closes (client_header_timeout). Node checks
    // every connectionsCheckingInterval, so that is kept to a fraction of the timeout.
    headersTimeout: headerTimeout,
    connectionsCheckingInterval: Math.max(25, Math.min(1_000, Math.floor(headerTimeout / 10) || 1_000)),
  };
  const server = createServer(serverOptions, onRequest);
  server.on('connection', countConnection);
  /** The proxy listeners: plain, then TLS once listenTls ran. */
  const proxyServers: Server[] = [server];
  let tlsServer: ReturnType<typeof createTlsServer> | undefined;

  const loaded = [...options.plugins.values()];
  const node: StatusSource = {
    nodeId,
    version: GW_VERSION,
    totalRequests: () => totalRequests,
    inFlight: () => inFlight(),
    connections: () => ({ ...connections }),
    configuration: () => ({ hash: current.hash, loadedAt: current.loadedAt }),
    closing: () => closing,
    pluginReports: () => pluginReports(loaded, logger),
    idleCollections: () => idleGc?.collections ?? 0,
  };
  const statusApp = createStatusApp(node, loaded, logger);
  let statusServer: Server | undefined;
  let adminServer: Server | undefined;
  /** Runtimes prepared and not yet activated or discarded: close() closes them too. */
  const prepared = new Set<Runtime>();

  const untilIdle = (ms: number) =>
    new Promise<boolean>((resolve) => {
      if (inFlight() === 0) return resolve(true);
      const timer = setTimeout(() => {
        idleWaiters = idleWaiters.filter((w) => w !== onIdle);
        resolve(false);
      }, ms);
      const onIdle = () => {
        clearTimeout(timer);
        resolve(true);
      };
      idleWaiters.push(onIdle);
    });

  const prepare = async (config: GatewayConfig): Promise<PreparedRuntime> => {
    if (closing) throw new Error('gateway is closing');
    const next = await buildRuntime(config, options.plugins, logger, nodeId);
    if (closing) {
      // close() began while the new plugins were starting: it won't see this runtime, so close it here.
      await next.plan.close();
      throw new Error('gateway is closing');
    }
    prepared.add(next);
    return next;
  };
  const activate = async (handle: PreparedRuntime): Promise<void> => {
    const next = handle as Runtime;
    if (!prepared.delete(next)) throw new Error('not a prepared runtime of this gateway (activated or discarded already?)');
    if (closing) {
      await next.plan.close();
      throw new Error('gateway is closing');
    }
    const previous = current;
    current = next;
    live.add(next);
    retired.add(previous);
    if (previous.inFlight === 0) await retire(previous);
  };

  let closed: Promise<void> | undefined;
  return {
    // eslint-disable-next-line no-restricted-syntax -- one per gateway
    get inFlight() {
      return inFlight();
    },
    listen(port, host = '127.0.0.1') {
      return listenOn(server, port, host);
    },
    listenTls(port, host = '127.0.0.1', tls) {
      if (tlsServer) return Promise.reject(new Error('the TLS listener is already started'));
      const secure = createTlsServer({ ...serverOptions, cert: tls.cert, key: tls.key }, onRequest);
      tlsServer = secure;
      // Counted once the handshake is done (a failed handshake is not a client connection).
      secure.on('secureConnection', countConnection);
      proxyServers.push(secure);
      return listenOn(secure, port, host);
    },
    reloadTls(tls) {
      if (!tlsServer) throw new Error('no TLS listener');
      // Throws on a bad pair before anything changes: the old certificate keeps serving.
      tlsServer.setSecureContext({ cert: tls.cert, key: tls.key });
    },
    listenStatus(port, host = '127.0.0.1') {
      if (statusServer) return Promise.reject(new Error('the status listener is already started'));
      statusServer = createAdaptorServer({ fetch: statusApp.fetch, overrideGlobalObjects: false }) as Server;
      return listenOn(statusServer, port, host);
    },
    listenAdmin(port, host, fetch) {
      if (adminServer) return Promise.reject(new Error('the admin listener is already started'));
      adminServer = createAdaptorServer({ fetch, overrideGlobalObjects: false }) as Server;
      return listenOn(adminServer, port, host);
    },
    // eslint-disable-next-line no-restricted-syntax -- one per gateway
    get configurationHash() {
      return current.hash;
    },
    status: (request) => statusApp.fetch(request),
    node,
    prepare,
    activate,
    async discard(handle) {
      const next = handle as Runtime;
      if (prepared.delete(next)) await next.plan.close();
    },
    async reload(config) {
      await activate(await prepare(config));
    },
    async reopen() {
      await current.plan.reopen();
    },
    close(opts = {}) {
      closed ??= (async () => {
        closing = true;
        idleGc?.stop();
        const stopped = Promise.all(proxyServers.map((s) => new Promise<void>((resolve) => (s.listening ? s.close(() => resolve()) : resolve()))));
        for (const s of proxyServers) s.closeIdleConnections();
        if (!(await untilIdle(opts.drainMs ?? 10_000))) {
          logger.warn(`closing with ${inFlight()} request(s) still in flight`);
          forcing = true;
          for (const s of proxyServers) s.closeAllConnections();
          // Aborted requests still run their log phase; give them a moment so log writers see them.
          await untilIdle(2_000);
        }
        // No request is in flight any more. What is left is a keep-alive connection gone back to idling,
        // one still sending a request head, or one lingering after its last response (lingering-close.ts):
        // none has anything to finish, and any of them would hold `stopped` (Node stops timing out request
        // heads once the server closes).
        for (const s of proxyServers) s.closeAllConnections();
        await stopped;
        // The status listener answers 503 on /status/ready through the drain, and the admin API refuses
        // new configs; they go last.
        for (const extra of [statusServer, adminServer]) {
          if (!extra?.listening) continue;
          const stoppedExtra = new Promise<void>((resolve) => extra.close(() => resolve()));
          extra.closeAllConnections();
          await stoppedExtra;
        }
        agents.destroy();
        clientTimeouts.stop();
        for (const r of [...live]) await retire(r);
        for (const r of [...prepared]) {
          prepared.delete(r);
          await r.plan.close();
        }
      })();
      return closed;
    },
  };
}
