/**
 * Narrows the entries worth testing for a request without scanning every route: entries whose hosts
 * are all exact are filed under those hosts, the rest under "any host"; within each, prefix paths are
 * filed by their first path segment (complete, or partial when the prefix ends inside it) and regex
 * paths by the first segment of their literal prefix. What cannot be filed (no paths, regexes without a
 * literal first segment) is always a candidate.
 */
import type { Entry } from './compile.js';
import { literalPrefix } from './regex.js';

interface PathIndex {
  /** Prefix `/seg/...`: matches only requests whose first segment is exactly `seg`. */
  complete: Map<string, Entry[]>;
  /** Prefix `/se` (no further `/`): matches requests whose first segment starts with `se`. */
  partial: Map<string, Entry[]>;
  partialLengths: Set<number>;
  always: Entry[];
}

export interface CandidateIndex {
  candidates(host: string, path: string): Entry[];
}

function newPathIndex(): PathIndex {
  return { complete: new Map(), partial: new Map(), partialLengths: new Set(), always: [] };
}

function push(map: Map<string, Entry[]>, key: string, e: Entry): void {
  const list = map.get(key);
  if (list) list.push(e);
  else map.set(key, [e]);
}

/** `/seg/rest` → `seg` when the first segment is complete within `literal`, else undefined. */
function completeSegment(literal: string): string | undefined {
  const end = literal.indexOf('/', 1);
  return literal.startsWith('/') && end !== -1 ? literal.slice(1, end) : undefined;
}

function file(index: PathIndex, e: Entry): void {
  if (e.prefixes) {
    for (const p of e.prefixes) {
      const seg = completeSegment(p);
      if (seg !== undefined) {
        push(index.complete, seg, e);
      } else {
        push(index.partial, p.slice(1), e);
        index.partialLengths.add(p.length - 1);
      }
    }
    return;
  }
  if (e.regexes) {
    let always = false;
    for (const r of e.regexes) {
      // Case-insensitive regexes could match any spelling of the segment.
      const seg = r.re.caseInsensitive ? undefined : completeSegment(literalPrefix(r.pattern));
      if (seg !== undefined) push(index.complete, seg, e);
      else always = true;
    }
    if (always) index.always.push(e);
    return;
  }
  index.always.push(e);
}

function lookup(index: PathIndex, path: string, out: Set<Entry>): void {
  const end = path.indexOf('/', 1);
  const seg = end === -1 ? path.slice(1) : path.slice(1, end);
  for (const e of index.complete.get(seg) ?? []) out.add(e);
  for (const len of index.partialLengths) {
    if (len > seg.length) continue;
    for (const e of index.partial.get(seg.slice(0, len)) ?? []) out.add(e);
  }
  for (const e of index.always) out.add(e);
}

/** Builds the index; `entries` must already carry their final `rank`. */
export function buildCandidateIndex(entries: readonly Entry[]): CandidateIndex {
  const byHost = new Map<string, PathIndex>();
  const anyHost = newPathIndex();
  for (const e of entries) {
    if (!e.plainHostsOnly) {
      file(anyHost, e);
      continue;
    }
    for (const host of new Set(e.hosts!.map((h) => h.value))) {
      let index = byHost.get(host);
      if (!index) byHost.set(host, (index = newPathIndex()));
      file(index, e);
    }
  }
  return {
    candidates(host, path) {
      const found = new Set<Entry>();
      const hostIndex = byHost.get(host);
      if (hostIndex) lookup(hostIndex, path, found);
      lookup(anyHost, path, found);
      return [...found].sort((a, b) => a.rank - b.rank);
    },
  };
}
