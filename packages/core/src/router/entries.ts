/** Compiles all routes into entries in evaluation order (`rank` = position). */
import type { RouteEntity, ServiceEntity } from '@gw/plugin-api';
import { compileRoute, type Entry } from './compile.js';
import { comparePriority } from './priority.js';
import { compareTie, matcherId, type TieKey } from './tie-break.js';

function serviceFor(route: RouteEntity, services: ReadonlyMap<string, ServiceEntity>): ServiceEntity | null {
  if (route.service === null) return null;
  const service = services.get(route.service.id);
  if (!service) throw new Error(`route ${route.name ?? route.id}: unknown service '${route.service.id}'`);
  return service;
}

/**
 * Order: priority, then Kong's tie-break (`tie-break.ts`): declared route ids, greatest first, then
 * routes without a declared id in file order. `declaredIds` undefined means every id was declared.
 * Throws on an invalid host wildcard, regex or unknown service id.
 */
export function compileEntries(
  routes: readonly RouteEntity[],
  serviceList: readonly ServiceEntity[],
  declaredIds?: ReadonlySet<string>,
): Entry[] {
  const services = new Map(serviceList.map((s) => [s.id, s]));
  const entries: Array<{ entry: Entry; tie: TieKey }> = [];
  let order = 0;
  for (const route of routes) {
    const compiled = compileRoute(route, serviceFor(route, services));
    const declared = declaredIds === undefined || declaredIds.has(route.id);
    compiled.forEach((entry, group) => {
      const id = declared ? matcherId(route.id, group, compiled.length) : undefined;
      const portSpecific = entry.hosts !== undefined && entry.hosts.every((h) => h.port !== undefined);
      entries.push({ entry, tie: { id, portSpecific, order: order++ } });
    });
  }
  entries.sort((a, b) => comparePriority(a.entry.priority, b.entry.priority) || compareTie(a.tie, b.tie));
  return entries.map(({ entry }, rank) => ({ ...entry, rank }));
}
