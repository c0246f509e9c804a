/**
 * Routes anyone can use with the gateway's own credentials: a plugin that calls its upstream with keys the
 * gateway holds (`usesGatewayCredentials`, ai-proxy) runs on the route, and no plugin that authenticates
 * (`authenticates`, key-auth) does. Resolved as a request without a consumer would be (Kong's scope
 * precedence, one config per plugin name), so a consumer-scoped plugin never counts: it only applies after
 * authentication. Pure: reads the config and the plugin declarations, creates no plugin instance, so
 * `gw sync` can say it offline.
 */
import type { GatewayConfig, PluginEntity, SourceLocation } from '../config/model.js';
import type { AnyPlugin, PluginRegistry } from './registry.js';
import { specificity } from './plan.js';

export interface OpenRoute {
  /** The route's name, or its id when it has none. */
  route: string;
  location: SourceLocation | undefined;
  /** The plugins on it that spend the gateway's credentials (e.g. `ai-proxy`). */
  plugins: string[];
  /** Authenticating plugins on it that let every request through as configured (key-auth with `anonymous`). */
  letThrough: string[];
}

function declared(mark: AnyPlugin['authenticates'], config: Record<string, unknown>): boolean {
  return typeof mark === 'function' ? mark(config) === true : mark === true;
}

export function findOpenRoutes(config: GatewayConfig, registry: PluginRegistry): OpenRoute[] {
  const open: OpenRoute[] = [];
  for (const route of config.routes) {
    const serviceId = route.service?.id ?? null;
    const best = new Map<string, { entity: PluginEntity; rank: number }>();
    for (const entity of config.plugins) {
      if (!entity.enabled) continue;
      const rank = specificity(entity, route.id, serviceId, null, []);
      if (rank < 0) continue;
      const current = best.get(entity.name);
      if (current === undefined || rank > current.rank) best.set(entity.name, { entity, rank });
    }
    const spenders: string[] = [];
    const letThrough: string[] = [];
    let guarded = false;
    for (const { entity } of best.values()) {
      const plugin = registry.get(entity.name);
      if (plugin === undefined) continue;
      if (declared(plugin.usesGatewayCredentials, entity.config)) spenders.push(entity.name);
      if (declared(plugin.authenticates, entity.config)) guarded = true;
      else if (plugin.authenticates !== undefined) letThrough.push(entity.name);
    }
    if (spenders.length === 0 || guarded) continue;
    open.push({ route: route.name ?? route.id, location: config.locations.get(route.id), plugins: spenders.sort(), letThrough: letThrough.sort() });
  }
  return open;
}

/** Whether a listen address only accepts connections from this machine. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\./.test(h) || /^::ffff:127\./.test(h);
}

/**
 * One warning line per open route. `exposed`: the proxy listens on an address other machines can reach
 * (`gw start` with `--host 0.0.0.0`), which makes the warning louder; undefined when not known (`gw sync`).
 */
export function openRouteWarnings(routes: readonly OpenRoute[], exposed?: { host: string }): string[] {
  return routes.map((r) => {
    const where = r.location && r.location.line > 0 ? ` (${r.location.file}:${r.location.line}:${r.location.column})` : '';
    const why = r.letThrough.length > 0 ? `${r.letThrough.join(', ')} lets requests without a credential through (anonymous)` : 'no authentication plugin (such as key-auth) guards it';
    const who = exposed
      ? `gw listens on ${exposed.host}, reachable from other machines: anyone on the network can use the gateway's credentials through it`
      : "anyone who can reach gw can use the gateway's credentials through it";
    return `route '${r.route}'${where}: ${r.plugins.join(', ')} calls its upstream with the gateway's own credentials and ${why}; ${who}`;
  });
}
