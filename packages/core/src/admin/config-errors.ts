/**
 * A refused config as Kong's DB-less /config answers it (kong/db/errors.lua): code 14, "invalid declarative
 * configuration", `fields` mirroring the input's structure, and with `flatten_errors` a
 * `flattened_errors` list: one item per entity with its type, name, id, tags, the entity as posted (nested
 * entities taken out) and its errors, `field` paths written Kong's way (`config.auth.header_value`,
 * `tags.3`: dotted, arrays counted from 1). What belongs to no entity stays in `fields`. gw adds
 * `problems`: the same problems as `<name>:line:col path: message` lines of the posted text.
 * Secrets in the echoed entities are redacted (Kong echoes them).
 */
import { NESTED_ENTITIES } from '../config/annotations.js';
import { formatProblem, type ConfigProblem } from '../config/model.js';
import { entitySchema } from '../config/schemas.js';
import type { PathSegment } from '../config/yaml.js';
import type { PluginRegistry } from '../runtime/registry.js';
import { redactBySchema } from './redact.js';

type Json = Record<string, unknown>;
const isRecord = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Kong's errors.lua code and name for a declarative config. */
const DECLARATIVE_CONFIG = { code: 14, name: 'invalid declarative configuration' };

/** The foreign key a nested entity gets for its parent (Kong adds it when the parent has an id). */
const PARENT_KEY: Record<string, string> = { services: 'service', routes: 'route', consumers: 'consumer', certificates: 'certificate' };
const SCHEMA_OF: Record<string, 'service' | 'route' | 'consumer' | 'certificate' | 'ca-certificate' | undefined> = {
  services: 'service',
  routes: 'route',
  consumers: 'consumer',
  certificates: 'certificate',
  ca_certificates: 'ca-certificate',
};
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `services[0].routes[1]["x-y"]` back to segments. */
export function parsePath(path: string): PathSegment[] {
  const out: PathSegment[] = [];
  const token = /\.?([A-Za-z_][\w-]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]/y;
  let m: RegExpExecArray | null;
  while (token.lastIndex < path.length && (m = token.exec(path)) !== null) {
    if (m[1] !== undefined) out.push(m[1]);
    else if (m[2] !== undefined) out.push(Number(m[2]));
    else out.push(JSON.parse(m[3]) as string);
  }
  return out;
}

interface EntityAt {
  kind: string;
  /** Segments of the entity in the document. */
  at: PathSegment[];
  /** The parent entity's list kind and segments, for a nested one. */
  parent?: { kind: string; at: PathSegment[] };
  /** The field path inside the entity. */
  rest: PathSegment[];
}

function entityOf(path: PathSegment[]): EntityAt | undefined {
  const [list, index] = path;
  if (typeof list !== 'string' || typeof index !== 'number' || !(list in NESTED_ENTITIES)) return undefined;
  let found: EntityAt = { kind: list, at: [list, index], rest: path.slice(2) };
  for (;;) {
    const [child, i] = found.rest;
    if (typeof child !== 'string' || typeof i !== 'number' || !NESTED_ENTITIES[found.kind].includes(child)) return found;
    found = { kind: child, at: [...found.at, child, i], parent: { kind: found.kind, at: found.at }, rest: found.rest.slice(2) };
  }
}

const at = (doc: unknown, path: PathSegment[]): unknown => path.reduce<unknown>((v, seg) => (Array.isArray(v) || isRecord(v) ? (v as Json)[seg as string] : undefined), doc);
const singular = (kind: string) => (kind.endsWith('s') ? kind.slice(0, -1) : kind);
/** Kong's field path: dotted, array positions from 1. */
const kongField = (rest: PathSegment[]) => rest.map((s) => (typeof s === 'number' ? String(s + 1) : s)).join('.');

function setIn(target: Json | unknown[], path: PathSegment[], message: string): void {
  let node: Json | unknown[] = target;
  path.forEach((seg, i) => {
    const last = i === path.length - 1;
    const slot = node as Record<string | number, unknown>;
    if (last) {
      const prev = slot[seg];
      slot[seg] = prev === undefined || prev === null ? message : Array.isArray(prev) ? [...(prev as unknown[]), message] : typeof prev === 'string' ? [prev, message] : prev;
      return;
    }
    let next = slot[seg];
    if (!isRecord(next) && !Array.isArray(next)) {
      next = typeof path[i + 1] === 'number' ? [] : {};
      slot[seg] = next;
    }
    node = next as Json | unknown[];
  });
}

/** Holes in arrays become null, as cjson writes a sparse Lua array. */
const dense = (v: unknown): unknown => (Array.isArray(v) ? Array.from(v, (x) => dense(x ?? null)) : isRecord(v) ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, dense(x)])) : v);

export function configErrorBody(problems: readonly ConfigProblem[], document: unknown, options: { flatten: boolean; plugins: PluginRegistry }): Json {
  const fields: Json = {};
  const flattened = new Map<string, { entity: EntityAt; errors: Json[] }>();
  for (const problem of problems) {
    const path = parsePath(problem.path);
    const entity = options.flatten && isRecord(at(document, entityOf(path)?.at ?? [])) ? entityOf(path) : undefined;
    if (!entity) {
      if (path.length === 0) setIn(fields, ['@entity'], problem.message);
      else setIn(fields, path, problem.message);
      continue;
    }
    const key = JSON.stringify(entity.at);
    const item = flattened.get(key) ?? { entity, errors: [] };
    item.errors.push(entity.rest.length === 0 ? { type: 'entity', message: problem.message } : { type: 'field', field: kongField(entity.rest), message: problem.message });
    flattened.set(key, item);
  }
  const body: Json = { ...DECLARATIVE_CONFIG, message: `declarative config is invalid: ${JSON.stringify(dense(fields))}`, fields: dense(fields) };
  if (options.flatten) body.flattened_errors = [...flattened.values()].map(({ entity, errors }) => flatEntity(entity, errors, document, options.plugins));
  body.problems = problems.map(formatProblem);
  return body;
}

function flatEntity(e: EntityAt, errors: Json[], document: unknown, plugins: PluginRegistry): Json {
  const raw = at(document, e.at) as Json;
  const entity: Json = {};
  for (const [k, v] of Object.entries(raw)) if (!NESTED_ENTITIES[e.kind].includes(k)) entity[k] = v;
  if (e.parent) {
    const parentId = (at(document, e.parent.at) as Json).id;
    const fk = PARENT_KEY[e.parent.kind];
    if (fk !== undefined && entity[fk] === undefined && typeof parentId === 'string' && UUID.test(parentId)) entity[fk] = { id: parentId };
  }
  const schema = SCHEMA_OF[e.kind];
  let shown = redactBySchema(entity, schema ? entitySchema(schema) : e.kind === 'keyauth_credentials' ? { properties: { key: { 'x-secret': true } } } : undefined, new Set()) as Json;
  if (e.kind === 'plugins' && typeof raw.name === 'string') {
    shown = { ...shown, config: redactBySchema(raw.config, plugins.get(raw.name)?.configSchema as Json | undefined, new Set()) };
  }
  const out: Json = { entity_type: singular(e.kind), entity: shown, errors };
  if (typeof raw.name === 'string' && raw.name.length > 0) out.entity_name = raw.name;
  if (typeof raw.id === 'string' && UUID.test(raw.id)) out.entity_id = raw.id;
  if (Array.isArray(raw.tags) && raw.tags.every((t) => typeof t === 'string')) out.entity_tags = raw.tags;
  return out;
}
