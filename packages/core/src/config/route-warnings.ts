/** `gw sync` / `gw start` warnings about routes that load but do not do what the file says. */
import type { Entity } from './collect.js';

/** Kong's deprecation text for `path_handling: v1` under its default router. */
const PATH_V1 =
  "path_handling='v1' is deprecated and will not work under 'expressions' or 'traditional_compatible' router_flavor, please use path_handling='v0' instead";

/** `at(entity, field)` gives `file:line:col` of a field. */
export function routeWarnings(routes: readonly Entity[], at: (route: Entity, field: string) => string): string[] {
  const out: string[] = [];
  for (const r of routes) {
    const name = typeof r.raw.name === 'string' ? r.raw.name : r.raw.id;
    if (r.raw.path_handling === 'v1') out.push(`${at(r, 'path_handling')}: route '${String(name)}': ${PATH_V1} (gw applies v0, as Kong 3.x does)`);
  }
  return out;
}
