/**
 * What `gw sync --admin` posts: the files as written with the environment substituted here (decK's way:
 * the server never sees a `${{ env }}`, and secrets never travel in a file that still needs the server's
 * environment), vault references left for the server to resolve, merged into one document as decK merges
 * files (entity lists appended, `_info` merged). Entities have a name or an id (decK requires one), and gw
 * derives ids from names, so the server's ids are the ones `gw diff` compared against.
 */

type Doc = Record<string, unknown>;
const isRecord = (v: unknown): v is Doc => v !== null && typeof v === 'object' && !Array.isArray(v);

export function syncPayload(documents: readonly (Doc | undefined)[]): Doc {
  return merge(documents.filter((d): d is Doc => d !== undefined));
}

function merge(docs: Doc[]): Doc {
  if (docs.length === 1) return docs[0];
  const out: Doc = {};
  for (const doc of docs) {
    for (const [key, value] of Object.entries(doc)) {
      if (Array.isArray(value)) out[key] = [...((out[key] as unknown[] | undefined) ?? []), ...value];
      else if (key === '_info' && isRecord(value)) out._info = mergeInfo(out._info, value);
      else if (!(key in out)) out[key] = value;
    }
  }
  return out;
}

/** decK: select_tags from every file; for defaults, the first file that sets a field wins. */
function mergeInfo(into: unknown, info: Doc): Doc {
  const out: Doc = isRecord(into) ? { ...into } : {};
  if (Array.isArray(info.select_tags)) out.select_tags = [...new Set([...((out.select_tags as unknown[] | undefined) ?? []), ...info.select_tags])];
  if (isRecord(info.defaults)) {
    const defaults: Doc = isRecord(out.defaults) ? { ...out.defaults } : {};
    for (const [kind, fields] of Object.entries(info.defaults)) {
      if (isRecord(fields)) defaults[kind] = { ...fields, ...(isRecord(defaults[kind]) ? defaults[kind] : {}) };
    }
    out.defaults = defaults;
  }
  for (const [key, value] of Object.entries(info)) if (!(key in out)) out[key] = value;
  return out;
}
