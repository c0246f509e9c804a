/**
 * Kong's `kong.log.set_serialize_value`: values set by plugins under dotted keys, applied on top of the
 * basic record. `\.` escapes a dot inside a key segment.
 */
import { splitDottedKey, type JsonValue } from '@gw/plugin-api';

export type SerializeMode = 'set' | 'add' | 'replace';

export interface SerializeOp {
  path: string[];
  value: JsonValue | undefined;
  mode: SerializeMode;
}

export function parseDottedKey(key: string): string[] {
  if (key.length === 0) throw new TypeError('serialize key must not be empty');
  const parts = splitDottedKey(key);
  if (parts.some((p) => p.length === 0)) throw new TypeError(`invalid serialize key: ${key}`);
  return parts;
}

export function makeSerializeOp(key: string, value: JsonValue | undefined, mode: SerializeMode = 'set'): SerializeOp {
  if (mode !== 'set' && mode !== 'add' && mode !== 'replace') throw new TypeError(`invalid serialize mode: ${String(mode)}`);
  return { path: parseDottedKey(key), value, mode };
}

/** Apply one op to `target` in place; intermediate objects are created (or replaced when not objects). */
export function applySerializeOp(target: Record<string, unknown>, op: SerializeOp): void {
  let node = target;
  const last = op.path.length - 1;
  for (let i = 0; i < last; i++) {
    const key = op.path[i];
    const next = node[key];
    if (typeof next === 'object' && next !== null && !Array.isArray(next)) {
      node = next as Record<string, unknown>;
      continue;
    }
    // `replace` only touches existing values: a missing parent means nothing to replace.
    if (op.mode === 'replace') return;
    const created: Record<string, unknown> = {};
    node[key] = created;
    node = created;
  }
  const leaf = op.path[last];
  const exists = Object.prototype.hasOwnProperty.call(node, leaf) && node[leaf] !== undefined;
  if (op.mode === 'add' && exists) return;
  if (op.mode === 'replace' && !exists) return;
  if (op.value === undefined) delete node[leaf];
  else node[leaf] = op.value;
}
