/**
 * The path sent upstream: the service path joined with what is left of the request path, as Kong's
 * `kong/router/utils.lua:get_upstream_uri_v0` does. Kong 3.x's traditional_compatible router applies
 * v0 whatever the route's `path_handling` says (`kong/router/atc.lua:set_upstream_uri`); `gw sync`
 * warns about `v1` as Kong does. `requestPath` is the normalized request path without its query.
 */

/** Kong's `sanitize_uri_postfix`: a postfix that is only dot segments must not climb above the base. */
function sanitizePostfix(postfix: string): string {
  if (postfix === '.' || postfix === '..') return '';
  if (postfix.startsWith('./')) return postfix.slice(2);
  if (postfix.startsWith('../')) return postfix.slice(3);
  return postfix;
}

/**
 * What remains after stripping: with strip on and a matched path, the text after the match; otherwise
 * the whole request path minus its leading `/` (Kong treats "nothing matched" as "strip the root").
 */
function postfixOf(requestPath: string, matchedPath: string | undefined, stripPath: boolean): string {
  const raw = stripPath && matchedPath !== undefined ? requestPath.slice(matchedPath.length) : requestPath.slice(1);
  return sanitizePostfix(raw);
}

function joinV0(base: string, requestPath: string, rest: string, stripPath: boolean): string {
  if (base.endsWith('/')) {
    if (!stripPath) return base + requestPath.slice(1);
    if (rest === '') {
      if (base === '/') return '/';
      return requestPath.endsWith('/') ? base : base.slice(0, -1);
    }
    return rest.startsWith('/') ? base.slice(0, -1) + rest : base + rest;
  }
  if (!stripPath) return requestPath === '/' ? base : base + requestPath;
  if (rest === '') return requestPath.length > 1 && requestPath.endsWith('/') ? base + '/' : base;
  return rest.startsWith('/') ? base + rest : base + '/' + rest;
}

export function joinUpstreamPath(
  servicePath: string | undefined,
  requestPath: string,
  matchedPath: string | undefined,
  stripPath: boolean,
): string {
  const base = servicePath || '/';
  return joinV0(base, requestPath, postfixOf(requestPath, matchedPath, stripPath), stripPath);
}

/**
 * Path plus the client's query, as Kong sends it: a request that ended in `?` keeps it even with
 * nothing after (`GET /request?` → `/request?`), which nginx alone would drop. `query` is the text
 * after the client's `?`, undefined when it had none.
 */
export function upstreamUri(path: string, query: string | undefined): string {
  return query === undefined ? path : `${path}?${query}`;
}
