/**
 * `custom_fields`: static values set in every record, keyed by dotted paths the way Kong's
 * `kong.log.set_serialize_value` takes them (`a.b` → record.a.b, `\.` is a literal dot).
 */
import { splitDottedKey, type JsonValue } from '@gw/plugin-api';

export interface CustomField {
  segments: string[];
  value: JsonValue;
}

/** Splits `a.b\.c` into `['a', 'b.c']`; empty segments are kept so validation can point at them. */
export const splitFieldKey = splitDottedKey;

export function compileCustomFields(fields: Record<string, JsonValue> | undefined): CustomField[] {
  return Object.entries(fields ?? {}).map(([key, value]) => ({ segments: splitFieldKey(key), value }));
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Returns a record with the fields set. The input is shared with other log plugins, so it is never
 * mutated: only the objects along each field's path are copied.
 */
export function applyCustomFields<R extends Record<string, unknown>>(record: R, fields: readonly CustomField[]): R {
  if (fields.length === 0) return record;
  const root: Record<string, unknown> = { ...record };
  const copied = new Set<object>([root]);
  for (const { segments, value } of fields) {
    let target = root;
    for (const segment of segments.slice(0, -1)) {
      const existing = target[segment];
      let next: Record<string, unknown>;
      if (isPlainObject(existing) && copied.has(existing)) next = existing;
      else {
        next = isPlainObject(existing) ? { ...existing } : {};
        copied.add(next);
      }
      target[segment] = next;
      target = next;
    }
    target[segments[segments.length - 1]] = value;
  }
  return root as R;
}
