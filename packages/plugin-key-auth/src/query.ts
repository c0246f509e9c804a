/**
 * Query-string helpers with nginx's reading of a query (what Kong's `kong.request.get_query` sees):
 * `+` is a space, `%XX` is decoded, `a` without `=` is `true`, a repeated name gives several values.
 */

/** Marks a query value in a log record (the same word gw uses for redacted headers). */
export const REDACTED = 'REDACTED';

export function decodeComponent(s: string): string {
  if (!s.includes('%') && !s.includes('+')) return s;
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}

const nameOf = (part: string): string => {
  const eq = part.indexOf('=');
  return decodeComponent(eq === -1 ? part : part.slice(0, eq));
};

/** Every value of `name` in `query` (without `?`), in order; `true` for a bare `name`. */
export function queryValues(query: string, name: string): (string | true)[] {
  const values: (string | true)[] = [];
  if (query === '') return values;
  for (const part of query.split('&')) {
    if (part === '' || nameOf(part) !== name) continue;
    const eq = part.indexOf('=');
    values.push(eq === -1 ? true : decodeComponent(part.slice(eq + 1)));
  }
  return values;
}

/** `query` without any argument called `name` (Kong's `clear_query_arg`). */
export function removeQueryArg(query: string, name: string): string {
  if (query === '') return query;
  return query
    .split('&')
    .filter((part) => part !== '' && nameOf(part) !== name)
    .join('&');
}

/** `query` with the value of every argument named in `names` replaced by REDACTED; the same string when none is. */
export function redactQueryArgs(query: string, names: ReadonlySet<string>): string {
  if (query === '') return query;
  let changed = false;
  const parts = query.split('&').map((part) => {
    if (part === '' || !names.has(nameOf(part))) return part;
    changed = true;
    const eq = part.indexOf('=');
    return `${eq === -1 ? part : part.slice(0, eq)}=${REDACTED}`;
  });
  return changed ? parts.join('&') : query;
}

/** `uri` (path, `?`, query) with its query redacted as by redactQueryArgs. */
export function redactUri(uri: string, names: ReadonlySet<string>): string {
  const q = uri.indexOf('?');
  if (q === -1) return uri;
  const query = uri.slice(q + 1);
  const redacted = redactQueryArgs(query, names);
  return redacted === query ? uri : `${uri.slice(0, q + 1)}${redacted}`;
}
