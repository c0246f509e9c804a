/**
 * The path sent upstream: the service path joined with what is left of the request path, following
 * Kong's `path_handling` (docs/reference/kong.md#upstream-path; `kong/router/utils.lua:get_upstream_uri_v0` for v0, the
 * pre-3.0 router for v1). `requestPath` is the normalized request path without its query string.
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

/** v1 treats the service path as a raw string prefix: `/s` + `fv1/req` gives `/sfv1/req`. */
function joinV1(base: string, rest: string): string {
  return base.endsWith('/') && rest.startsWith('/') ? base.slice(0, -1) + rest : base + rest;
}

export function joinUpstreamPath(
  servicePath: string | undefined,
  requestPath: string,
  matchedPath: string | undefined,
  stripPath: boolean,
  handling: 'v0' | 'v1',
): string {
  const base = servicePath || '/';
  const rest = postfixOf(requestPath, matchedPath, stripPath);
  return handling === 'v1' ? joinV1(base, rest) : joinV0(base, requestPath, rest, stripPath);
}
