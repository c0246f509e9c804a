/**
 * Where the API key is in a request, following Kong 3.10's key-auth: for each key name in order, the
 * header first (if key_in_header), then the query (if key_in_query); the first name present decides.
 */
import type { ClientRequest } from '@gw/plugin-api';
import { queryValues } from './query.js';

/** A key name prepared once per plugin instance: the header names it matches. */
export interface KeyName {
  /** As configured; query parameters match this exactly. */
  name: string;
  /** Lower-case header name, plus the hyphenated form of an underscored name (nginx's header lookup). */
  headers: readonly string[];
}

export function compileKeyNames(names: readonly string[]): KeyName[] {
  return names.map((name) => {
    const lower = name.toLowerCase();
    const hyphenated = lower.replace(/_/g, '-');
    return { name, headers: hyphenated === lower ? [lower] : [lower, hyphenated] };
  });
}

export type KeySearch =
  /** `key` may be '' (an empty value): Kong then answers "No API key found". */
  | { kind: 'found'; key: string; keyName: KeyName }
  | { kind: 'missing' }
  | { kind: 'duplicate' };

export interface SearchOptions {
  inHeader: boolean;
  inQuery: boolean;
}

// gw extension: Claude Code's ANTHROPIC_AUTH_TOKEN arrives as `authorization: Bearer <key>`.
const BEARER = /^bearer +/i;

export function findKey(request: ClientRequest, names: readonly KeyName[], options: SearchOptions): KeySearch {
  for (const keyName of names) {
    if (options.inHeader) {
      for (const header of keyName.headers) {
        const value = request.headers[header];
        if (value === undefined) continue;
        if (Array.isArray(value)) return value.length === 1 ? found(value[0], keyName, header) : { kind: 'duplicate' };
        return found(value, keyName, header);
      }
    }
    if (options.inQuery) {
      const values = queryValues(request.query, keyName.name);
      if (values.length > 1) return { kind: 'duplicate' };
      // A bare `?apikey` is not a string in Kong either: the search goes on with the next name.
      if (typeof values[0] === 'string') return found(values[0], keyName, undefined);
    }
  }
  return { kind: 'missing' };
}

function found(value: string, keyName: KeyName, header: string | undefined): KeySearch {
  const key = header === 'authorization' ? value.replace(BEARER, '') : value;
  return { kind: 'found', key, keyName };
}
