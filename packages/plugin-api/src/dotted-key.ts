/**
 * Kong's dotted serialize keys (`kong.log.set_serialize_value`): `a.b` is record.a.b, and `\.` is a
 * literal dot inside a segment. Shared by core's serialize values and log plugins' static fields.
 */

/** Splits `a.b\.c` into `['a', 'b.c']`. Empty segments are kept so callers can point at them. */
export function splitDottedKey(key: string): string[] {
  const segments: string[] = [];
  let current = '';
  for (let i = 0; i < key.length; i++) {
    const char = key[i];
    if (char === '\\' && key[i + 1] === '.') {
      current += '.';
      i++;
    } else if (char === '.') {
      segments.push(current);
      current = '';
    } else {
      current += char;
    }
  }
  segments.push(current);
  return segments;
}
