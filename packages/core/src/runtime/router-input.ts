/**
 * What the router is built from. Kong (runloop/handler.lua, build_router) leaves the routes of a
 * service with `enabled: false` out of the router, so a request they would have matched falls through
 * to the next matching route; routes without a service stay. The router itself knows nothing of this.
 */
import type { RouteEntity, ServiceEntity } from '@gw/plugin-api';
import type { GatewayConfig } from '../config/model.js';

export function routerInput(config: Pick<GatewayConfig, 'routes' | 'services'>): { routes: RouteEntity[]; services: readonly ServiceEntity[] } {
  const disabled = new Set(config.services.filter((s) => s.enabled === false).map((s) => s.id));
  const routes = disabled.size === 0 ? [...config.routes] : config.routes.filter((r) => r.service === null || !disabled.has(r.service.id));
  return { routes, services: config.services };
}
