/**
 * decK's `route-regex-path-format` diagnostic (go-database-reconciler utils.HasPathsWithRegex300AndAbove):
 * since Kong 3.0 a regex path must start with `~`; a path without it that holds a character outside
 * `[A-Za-z0-9._~/%-]` looks like a 2.x regex and is matched as a plain prefix. decK warns; so does gw,
 * per path, with its position. A lint only: what the router does with the path is the router's business.
 */
import type { Report, RouteItem } from './collect.js';

const NOT_PLAIN = /[^a-zA-Z0-9._~/%-]/;

export function looksLikeRegex(path: string): boolean {
  return !path.startsWith('~/') && NOT_PLAIN.test(path);
}

export function warnRegexLikePaths(routes: readonly RouteItem[], warn: Report): void {
  for (const r of routes) {
    if (!Array.isArray(r.raw.paths)) continue;
    r.raw.paths.forEach((p, i) => {
      if (typeof p !== 'string' || !looksLikeRegex(p)) return;
      warn(r.origin, ['paths', i], `looks like a regex but has no '~' prefix, so it is matched as a plain prefix since Kong 3.0; write '~${p}' if it is a regex (decK's route-regex-path-format)`);
    });
  }
}
