/**
 * Kong `traditional_compatible` router: routes are compiled once into prioritized entries and a
 * candidate index; a request is tested only against the few entries the index yields, in priority
 * order, and the first match wins. Kong's rules: docs/reference/kong.md (route matching, upstream path).
 */
import type { RouteEntity, ServiceEntity } from '@gw/plugin-api';
import { buildCandidateIndex } from './candidate-index.js';
import { compileEntries } from './entries.js';
import { firstMatch } from './first-match.js';
import type { MatchInput, Router } from './types.js';

export type { MatchInput, RouteMatch, Router } from './types.js';
export { normalizePath } from './normalize.js';
export { joinUpstreamPath, upstreamUri } from './upstream-path.js';
export { splitHostHeader } from './host-header.js';

export interface RouterInput {
  routes: readonly RouteEntity[];
  services: readonly ServiceEntity[];
  /**
   * Ids the configuration declared. Ties between equal-priority routes follow Kong (greatest id
   * first) for these; routes with a generated id come after them, in file order. Absent: all declared.
   */
  declaredIds?: ReadonlySet<string>;
}

/** Compiles the routes; throws on an invalid host wildcard, regex or unknown service id. */
export function createRouter(input: RouterInput): Router {
  const index = buildCandidateIndex(compileEntries(input.routes, input.services, input.declaredIds));
  // The contract says lower-case already; a stray capital must not silently miss the host index.
  const lowerHost = (req: MatchInput) => (/[A-Z]/.test(req.host) ? { ...req, host: req.host.toLowerCase() } : req);
  return {
    size: input.routes.length,
    candidatesFor: (req) => index.candidates(lowerHost(req).host, req.path).map((e) => e.route),
    match(req) {
      const input = lowerHost(req);
      return firstMatch(index.candidates(input.host, input.path), input);
    },
  };
}
