/** Starts a gateway with one catch-all route and the given plugins, in front of an echo server or a given port. */
import type { PluginEntity } from '../../src/config/model.js';
import type { AnyPlugin } from '../../src/runtime/registry.js';
import { consumer, gatewayConfig, route, service } from './config.js';
import { startEcho, startGateway, type RunningGateway } from './http.js';

export type Cleanups = Array<() => Promise<void>>;

export async function runPlugins(
  cleanups: Cleanups,
  defs: AnyPlugin[],
  entities: (svc: ReturnType<typeof service>, r: ReturnType<typeof route>) => PluginEntity[],
  upstreamPort?: number,
  consumers: ReturnType<typeof consumer>[] = [],
): Promise<RunningGateway> {
  let port = upstreamPort;
  if (port === undefined) {
    const echo = await startEcho();
    cleanups.push(echo.close);
    port = echo.port;
  }
  const svc = service({ port, name: 'svc' });
  const r = route(svc, { paths: ['/'], name: 'r' });
  const gw = await startGateway(gatewayConfig({ services: [svc], routes: [r], consumers, plugins: entities(svc, r) }), defs);
  cleanups.push(gw.close);
  return gw;
}

/** `runPlugins` bound to a test file's cleanup list. */
export function pluginRunner(cleanups: Cleanups) {
  return (...args: Parameters<typeof runPlugins> extends [Cleanups, ...infer Rest] ? Rest : never) => runPlugins(cleanups, ...args);
}
