/**
 * RFC 3986 §6.2.2 path normalization, applied before matching as Kong does (docs
 * `routing/traditional.md`): percent-encodings uppercased, unreserved characters decoded, dot segments
 * removed, repeated slashes merged. Reserved and other encoded bytes (`%2F`, `%20`, `%25`) stay encoded,
 * so `/a%2Fb` never matches a route for `/a/b` and the upstream receives the encoding unchanged.
 * Malformed escapes (`%zz`, a trailing `%`) are left as they are, like Kong; this never throws.
 */

const UNRESERVED = /[A-Za-z0-9\-._~]/;

function normalizeEncoding(path: string): string {
  if (!path.includes('%')) return path;
  return path.replace(/%([0-9A-Fa-f]{2})/g, (escape: string, hex: string) => {
    const ch = String.fromCharCode(parseInt(hex, 16));
    return UNRESERVED.test(ch) ? ch : escape.toUpperCase();
  });
}

/** RFC 3986 §5.2.4 remove_dot_segments, on a path that starts with `/` and has no empty segments. */
function removeDotSegments(path: string): string {
  const out: string[] = [];
  const segments = path.split('/').slice(1);
  segments.forEach((seg, i) => {
    const last = i === segments.length - 1;
    if (seg === '.' || seg === '..') {
      if (seg === '..') out.pop();
      // `/a/.` and `/a/b/..` keep their trailing slash, as the RFC algorithm does.
      if (last) out.push('');
      return;
    }
    out.push(seg);
  });
  return '/' + out.join('/');
}

/** Normalizes a request path (the part before `?`; anything from `?` or `#` on is ignored). */
export function normalizePath(rawPath: string): string {
  let path = rawPath;
  const cut = path.search(/[?#]/);
  if (cut !== -1) path = path.slice(0, cut);
  if (!path.startsWith('/')) path = '/' + path;
  path = normalizeEncoding(path).replace(/\/{2,}/g, '/');
  if (path.includes('.')) path = removeDotSegments(path);
  return path;
}
