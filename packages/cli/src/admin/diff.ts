/**
 * `gw diff`: the local file's entities against the running gw's, matched by id (gw derives ids from names,
 * so the same name is the same entity), compared field by field in Kong's JSON shapes, printed the way
 * decK prints them:
 *
 *   creating route new-route
 *   updating service svc1  {
 *      "host": "a.example",
 *   -  "port": 80,
 *   +  "port": 8080,
 *      ...
 *    }
 *
 *   deleting plugin file-log (global)
 *   Summary:
 *     Created: 1
 *     Updated: 1
 *     Deleted: 1
 *
 * Secrets are REDACTED on both sides (the admin API never shows them), so a change only in a secret shows
 * as the configuration hashes differing. Values that came from the environment print as [masked], as decK does.
 */
import { REDACTED, type AdminEntities } from '@gw/core';

type Json = Record<string, unknown>;

export type Kind = 'service' | 'route' | 'consumer_group' | 'consumer' | 'key-auth' | 'plugin';
const KINDS: { kind: Kind; collection: keyof AdminEntities }[] = [
  { kind: 'service', collection: 'services' },
  { kind: 'route', collection: 'routes' },
  { kind: 'consumer_group', collection: 'consumer_groups' },
  { kind: 'consumer', collection: 'consumers' },
  { kind: 'key-auth', collection: 'key-auths' },
  { kind: 'plugin', collection: 'plugins' },
];

export interface Change {
  op: 'create' | 'update' | 'delete';
  kind: Kind;
  name: string;
  /** update: the diff body's lines. */
  body?: string[];
}

/** Fields that say when an entity was loaded, not what it is. */
const IGNORED = new Set(['created_at', 'updated_at']);

function comparable(entity: Json): Json {
  const out: Json = {};
  for (const key of Object.keys(entity).sort()) if (!IGNORED.has(key) && entity[key] !== null && entity[key] !== undefined) out[key] = entity[key];
  return out;
}

/** A vault reference the client could not resolve stands for the server's (redacted) value. */
const sameValue = (local: unknown, remote: unknown): boolean =>
  remote === REDACTED && typeof local === 'string' && (local === REDACTED || local.startsWith('{vault://')) ? true : deepEqual(local, remote);

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => sameValue(x, b[i]));
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    const ka = Object.keys(a).filter((k) => (a as Json)[k] !== null);
    const kb = Object.keys(b).filter((k) => (b as Json)[k] !== null);
    return ka.length === kb.length && ka.every((k) => sameValue((a as Json)[k], (b as Json)[k]));
  }
  return false;
}

export function diffEntities(local: AdminEntities, remote: AdminEntities): Change[] {
  const names = (side: AdminEntities) => {
    const byId = new Map<string, string>();
    for (const s of side.services) byId.set(s.id as string, `service ${String(s.name ?? s.id)}`);
    for (const r of side.routes) byId.set(r.id as string, `route ${String(r.name ?? r.id)}`);
    for (const c of side.consumers) byId.set(c.id as string, `consumer ${String(c.username ?? c.custom_id ?? c.id)}`);
    for (const g of side.consumer_groups) byId.set(g.id as string, `consumer_group ${String(g.name ?? g.id)}`);
    return byId;
  };
  const localNames = names(local);
  const remoteNames = names(remote);
  const display = (kind: Kind, e: Json, side: Map<string, string>): string => {
    const ref = (field: string) => (e[field] as { id?: string } | null)?.id;
    switch (kind) {
      case 'service':
      case 'route':
      case 'consumer_group':
        return String(e.name ?? e.id);
      case 'consumer':
        return String(e.username ?? e.custom_id ?? e.id);
      case 'key-auth':
        return `${String(e.id)} for ${side.get(ref('consumer') ?? '') ?? `consumer ${ref('consumer') ?? '?'}`}`;
      case 'plugin': {
        // decK's Plugin.Console(): "name (global)" or "name for service a and route b".
        const scopes = ['service', 'route', 'consumer', 'consumer_group'].flatMap((f) => {
          const id = ref(f);
          return id === undefined ? [] : [side.get(id) ?? `${f} ${id}`];
        });
        return `${String(e.name)} ${scopes.length === 0 ? '(global)' : `for ${scopes.join(' and ')}`}`;
      }
    }
  };

  const creates: Change[] = [];
  const updates: Change[] = [];
  const deletes: Change[] = [];
  for (const { kind, collection } of KINDS) {
    const mine = new Map((local[collection] ?? []).map((e) => [e.id as string, comparable(e)]));
    const theirs = new Map((remote[collection] ?? []).map((e) => [e.id as string, comparable(e)]));
    for (const [id, entity] of mine) {
      const running = theirs.get(id);
      if (!running) creates.push({ op: 'create', kind, name: display(kind, entity, localNames) });
      else if (!sameValue(entity, running)) updates.push({ op: 'update', kind, name: display(kind, entity, localNames), body: objectDiff(running, entity) });
    }
    for (const [id, entity] of theirs) if (!mine.has(id)) deletes.push({ op: 'delete', kind, name: display(kind, entity, remoteNames) });
  }
  // Dependencies first when creating, last when deleting.
  return [...creates, ...updates, ...deletes.reverse()];
}

const OP_WORD = { create: 'creating', update: 'updating', delete: 'deleting' } as const;

/** The decK-style report; `mask` hides values that came from the environment. */
export function formatChanges(changes: readonly Change[], mask: (line: string) => string): string[] {
  const lines: string[] = [];
  for (const c of changes) {
    if (c.op !== 'update') {
      lines.push(mask(`${OP_WORD[c.op]} ${c.kind} ${c.name}`));
      continue;
    }
    lines.push(mask(`updating ${c.kind} ${c.name}  {`), ...(c.body ?? []).map(mask), ' }', '');
  }
  return lines;
}

export function summary(changes: readonly Change[]): string[] {
  const count = (op: Change['op']) => changes.filter((c) => c.op === op).length;
  return ['Summary:', `  Created: ${count('create')}`, `  Updated: ${count('update')}`, `  Deleted: ${count('delete')}`];
}

/** Replaces each value in `values` (longest first) by [masked]. */
export function masker(values: ReadonlySet<string>): (line: string) => string {
  const list = [...values].sort((a, b) => b.length - a.length);
  return (line) => list.reduce((text, v) => text.split(v).join('[masked]'), line);
}

// gojsondiff's ascii format, as decK prints it: a marker column (' ', '-', '+'), two spaces per level.

type Line = { mark: ' ' | '-' | '+'; depth: number; text: string };

function render(value: unknown, depth: number, mark: Line['mark'], prefix: string, comma: string): Line[] {
  if (Array.isArray(value)) {
    if (value.length === 0) return [{ mark, depth, text: `${prefix}[` }, { mark, depth, text: `]${comma}` }];
    return [
      { mark, depth, text: `${prefix}[` },
      ...value.flatMap((v, i) => render(v, depth + 1, mark, '', i < value.length - 1 ? ',' : '')),
      { mark, depth, text: `]${comma}` },
    ];
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Json).filter(([, v]) => v !== null);
    if (entries.length === 0) return [{ mark, depth, text: `${prefix}{}${comma}` }];
    return [
      { mark, depth, text: `${prefix}{` },
      ...entries.flatMap(([k, v], i) => render(v, depth + 1, mark, `${JSON.stringify(k)}: `, i < entries.length - 1 ? ',' : '')),
      { mark, depth, text: `}${comma}` },
    ];
  }
  return [{ mark, depth, text: `${prefix}${JSON.stringify(value)}${comma}` }];
}

const absent = (v: unknown) => v === null || v === undefined;
const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

function diffValue(before: unknown, after: unknown, depth: number, prefix: string, comma: string): Line[] {
  if (sameValue(after, before)) return render(after, depth, ' ', prefix, comma);
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((k) => !absent(before[k]) || !absent(after[k])).sort();
    return [
      { mark: ' ', depth, text: `${prefix}{` },
      ...keys.flatMap((k, i) => diffMember(before[k], after[k], depth + 1, `${JSON.stringify(k)}: `, i < keys.length - 1 ? ',' : '')),
      { mark: ' ', depth, text: `}${comma}` },
    ];
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    return [{ mark: ' ', depth, text: `${prefix}[` }, ...diffArray(before, after, depth + 1), { mark: ' ', depth, text: `]${comma}` }];
  }
  return [...render(before, depth, '-', prefix, comma), ...render(after, depth, '+', prefix, comma)];
}

function diffMember(before: unknown, after: unknown, depth: number, prefix: string, comma: string): Line[] {
  if (absent(before)) return render(after, depth, '+', prefix, comma);
  if (absent(after)) return render(before, depth, '-', prefix, comma);
  return diffValue(before, after, depth, prefix, comma);
}

/** Elements kept, removed and added (longest common subsequence); same-length arrays element by element. */
function diffArray(before: unknown[], after: unknown[], depth: number): Line[] {
  const commaAt = (i: number, n: number) => (i < n - 1 ? ',' : '');
  if (before.length === after.length) return after.flatMap((v, i) => diffValue(before[i], v, depth, '', commaAt(i, after.length)));
  const n = before.length;
  const m = after.length;
  const lcs = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) lcs[i][j] = sameValue(after[j], before[i]) ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  const out: Line[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && sameValue(after[j], before[i])) {
      out.push(...render(after[j], depth, ' ', '', commaAt(j, m)));
      i++;
      j++;
    } else if (j < m && (i >= n || lcs[i][j + 1] >= lcs[i + 1][j])) {
      out.push(...render(after[j], depth, '+', '', commaAt(j, m)));
      j++;
    } else {
      out.push(...render(before[i], depth, '-', '', commaAt(i, n)));
      i++;
    }
  }
  return out;
}

/** The body of an `updating` line: the entity's members at depth 1. */
function objectDiff(before: Json, after: Json): string[] {
  const lines = diffValue(before, after, 0, '', '');
  // Drop the outer braces: decK prints them on the `updating …  {` line and the closing ` }`.
  return lines.slice(1, -1).map((l) => `${l.mark}${'  '.repeat(l.depth)}${l.text}`);
}
