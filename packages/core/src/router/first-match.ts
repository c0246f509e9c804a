import type { Entry } from './compile.js';
import { headerMap, matchEntry } from './match-entry.js';
import type { MatchInput, RouteMatch } from './types.js';
import { joinUpstreamPath } from './upstream-path.js';

/** First entry, in the given order, that matches the request. */
export function firstMatch(entries: Iterable<Entry>, req: MatchInput): RouteMatch | null {
  let headers: ReturnType<typeof headerMap> | undefined;
  const lazyHeaders = () => (headers ??= headerMap(req.headers));
  for (const e of entries) {
    const hit = matchEntry(e, req, lazyHeaders);
    if (!hit) continue;
    return {
      route: e.route,
      service: e.service,
      uriCaptures: hit.captures,
      matchedPath: hit.matchedPath,
      upstreamPath: joinUpstreamPath(e.service?.path, req.path, hit.matchedPath, e.route.strip_path),
    };
  }
  return null;
}
