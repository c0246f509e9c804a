/**
 * Secrets never leave the admin API: a value whose schema marks it `"x-secret": true` (entity schemas in
 * schemas/, each plugin's configSchema) is replaced by REDACTED, and so is any string that came from a
 * vault reference (Kong resolves those only in referenceable fields, which are its secrets; gw resolves
 * them anywhere, so it redacts them anywhere). Kong's admin API shows both; gw does better here.
 */
import { REDACTED } from '../log/redact.js';

type Schema = Record<string, unknown>;

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Local `$ref`s (`#/definitions/x`, `#/$defs/x`) of `root`; anything else is not followed. */
function deref(schema: Schema, root: Schema): Schema {
  let s = schema;
  for (let i = 0; i < 8 && typeof s.$ref === 'string' && s.$ref.startsWith('#/'); i++) {
    let target: unknown = root;
    for (const part of s.$ref.slice(2).split('/')) target = isRecord(target) ? target[part.replace(/~1/g, '/').replace(/~0/g, '~')] : undefined;
    if (!isRecord(target)) break;
    s = target;
  }
  return s;
}

/** The schema itself and its allOf / anyOf / oneOf branches: a key is secret if any branch says so. */
function branches(schema: Schema, root: Schema): Schema[] {
  const out = [deref(schema, root)];
  for (const key of ['allOf', 'anyOf', 'oneOf']) {
    const list = out[0][key];
    if (Array.isArray(list)) for (const s of list) if (isRecord(s)) out.push(...branches(s, root));
  }
  return out;
}

function childSchemas(schemas: Schema[], key: string | number, root: Schema): Schema[] {
  const out: Schema[] = [];
  for (const s of schemas) {
    if (typeof key === 'number') {
      if (isRecord(s.items)) out.push(...branches(s.items, root));
      continue;
    }
    const props = s.properties;
    if (isRecord(props) && isRecord(props[key])) out.push(...branches(props[key], root));
    else if (isRecord(s.patternProperties)) {
      for (const [pattern, sub] of Object.entries(s.patternProperties)) if (isRecord(sub) && new RegExp(pattern, 'u').test(key)) out.push(...branches(sub, root));
    }
    if (!(isRecord(props) && key in props) && isRecord(s.additionalProperties)) out.push(...branches(s.additionalProperties, root));
  }
  return out;
}

/**
 * A copy of `value` with the secrets `schema` marks (and any string in `vaultValues`) replaced by REDACTED.
 * `null` stays null: an unset secret is not a secret.
 */
export function redactBySchema(value: unknown, schema: Schema | undefined, vaultValues: ReadonlySet<string>): unknown {
  const root = schema ?? {};
  const walk = (v: unknown, schemas: Schema[]): unknown => {
    if (v === null || v === undefined) return v;
    if (schemas.some((s) => s['x-secret'] === true)) return REDACTED;
    if (typeof v === 'string') return vaultValues.has(v) ? REDACTED : v;
    if (Array.isArray(v)) return v.map((item, i) => walk(item, childSchemas(schemas, i, root)));
    if (isRecord(v)) {
      const out: Record<string, unknown> = {};
      for (const [k, child] of Object.entries(v)) out[k] = walk(child, childSchemas(schemas, k, root));
      return out;
    }
    return v;
  };
  return walk(value, schema ? branches(schema, root) : []);
}
