/**
 * YAML aliases make a document a graph: `b: &b [*a, *a]` holds `a` twice without repeating its text, so
 * thirty lines can stand for a billion values ("billion laughs"), and an alias inside its own anchor makes
 * a cycle. Everything after parsing walks the value as a tree (env substitution, schemas, the config hash,
 * every log record for file-log's custom_fields), so such a document would hang `gw sync` and `gw start`
 * or exhaust memory. It is refused at the first alias instead, as go-yaml refuses excessive aliasing.
 */

/** Far above any real decK file: without aliases a document has one value per scalar, sequence and mapping of its text. */
export const MAX_EXPANDED_VALUES = 1_000_000;

/** Why the parsed value can't be used as a tree, or undefined when it can. */
export function aliasProblem(value: unknown): string | undefined {
  const sizes = new Map<object, number>();
  const open = new Set<object>();
  let cycle = false;
  const size = (v: unknown): number => {
    if (v === null || typeof v !== 'object') return 1;
    const known = sizes.get(v);
    if (known !== undefined) return known;
    if (open.has(v)) {
      cycle = true;
      return Infinity;
    }
    // Dates and !!binary buffers are leaves.
    const proto = Object.getPrototypeOf(v) as unknown;
    if (!Array.isArray(v) && proto !== Object.prototype && proto !== null) return 1;
    open.add(v);
    let n = 1;
    for (const child of Array.isArray(v) ? v : Object.values(v)) {
      n += size(child);
      if (n > MAX_EXPANDED_VALUES) break;
    }
    open.delete(v);
    sizes.set(v, n);
    return n;
  };
  const total = size(value);
  if (cycle) return 'an alias refers to the node that contains it (a cycle)';
  if (total > MAX_EXPANDED_VALUES) return `aliases expand this document to more than ${MAX_EXPANDED_VALUES.toLocaleString('en-US')} values`;
  return undefined;
}
