/**
 * The JSON line of a record: exactly `JSON.stringify(record)`, with the record's `route` and `service`
 * written from JSON made once per object. gw's records share one deep-frozen route and service per loaded
 * config, so their ~900 bytes are serialized once per config instead of once per request.
 */
import type { LogRecord } from '@gw/plugin-api';

// Only a deep-frozen plain object gets here: it can't change, so its JSON can't either.
const jsonOfFrozen = new WeakMap<object, string>();

export function recordLine(record: LogRecord): string {
  const route = frozenJson(record.route);
  const service = frozenJson(record.service);
  if ((route === undefined && service === undefined) || typeof record.toJSON === 'function') return JSON.stringify(record);
  let line = '{';
  for (const key of Object.keys(record)) {
    const value = record[key];
    let json: string | undefined;
    if (key === 'route' && route !== undefined) json = route;
    else if (key === 'service' && service !== undefined) json = service;
    else {
      // JSON.stringify(value) would call toJSON('') where the whole record's passes the key: leave that to it.
      if (typeof value === 'object' && value !== null && typeof (value as { toJSON?: unknown }).toJSON === 'function') return JSON.stringify(record);
      json = JSON.stringify(value);
      if (json === undefined) continue; // undefined, a function or a symbol: left out, as JSON.stringify does
    }
    line += line.length === 1 ? `${JSON.stringify(key)}:${json}` : `,${JSON.stringify(key)}:${json}`;
  }
  return line + '}';
}

function frozenJson(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || !Object.isFrozen(value)) return undefined;
  let json = jsonOfFrozen.get(value);
  if (json === undefined) {
    if (!isFrozenPlain(value)) return undefined;
    json = JSON.stringify(value);
    jsonOfFrozen.set(value, json);
  }
  return json;
}

/** Frozen all the way down, and only plain objects, arrays and primitives (nothing with a toJSON). */
function isFrozenPlain(value: object): boolean {
  if (!Object.isFrozen(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== Array.prototype && proto !== null) return false;
  if (Object.getOwnPropertySymbols(value).length > 0) return false;
  for (const key of Object.getOwnPropertyNames(value)) {
    const descriptor = Object.getOwnPropertyDescriptor(value, key)!;
    if (descriptor.get !== undefined || descriptor.set !== undefined) return false;
    const member: unknown = descriptor.value;
    if (typeof member === 'object' && member !== null) {
      if (!isFrozenPlain(member)) return false;
    } else if (typeof member === 'function' || typeof member === 'bigint') return false;
  }
  return true;
}
