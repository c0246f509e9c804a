/** Compiles all routes into entries in evaluation order (`rank` = position). */
import type { RouteEntity, ServiceEntity } from '@gw/plugin-api';
import { compileRoute, type Entry } from './compile.js';
import { comparePriority } from './priority.js';

function serviceFor(route: RouteEntity, services: ReadonlyMap<string, ServiceEntity>): ServiceEntity | null {
  if (route.service === null) return null;
  const service = services.get(route.service.id);
  if (!service) throw new Error(`route ${route.name ?? route.id}: unknown service '${route.service.id}'`);
  return service;
}

/**
 * Order: priority, then `created_at` (Kong's documented tie-breaker), then declaration order, so equal
 * routes always resolve the same way. Throws on an invalid host wildcard, regex or unknown service id.
 */
export function compileEntries(routes: readonly RouteEntity[], serviceList: readonly ServiceEntity[]): Entry[] {
  const services = new Map(serviceList.map((s) => [s.id, s]));
  const entries: Array<{ entry: Entry; order: number }> = [];
  routes.forEach((route, order) => {
    for (const entry of compileRoute(route, serviceFor(route, services))) entries.push({ entry, order });
  });
  entries.sort(
    (a, b) =>
      comparePriority(a.entry.priority, b.entry.priority) ||
      a.entry.route.created_at - b.entry.route.created_at ||
      a.order - b.order,
  );
  return entries.map(({ entry }, rank) => ({ ...entry, rank }));
}
