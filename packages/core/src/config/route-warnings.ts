/** `gw sync` / `gw start` warnings about routes that load but do not do what the file says. */
import type { Report, RouteItem } from './collect.js';

/** Kong's deprecation text for `path_handling: v1` under its default router (`kong/db/schema/entities/routes.lua`). */
const PATH_V1 =
  "path_handling='v1' is deprecated and will not work under 'expressions' or 'traditional_compatible' router_flavor, please use path_handling='v0' instead (gw applies v0, as Kong 3.x does)";

export function warnPathHandlingV1(routes: readonly RouteItem[], warn: Report): void {
  for (const r of routes) if (r.raw.path_handling === 'v1') warn(r.origin, ['path_handling'], PATH_V1);
}
