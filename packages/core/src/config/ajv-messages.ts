/**
 * ajv errors → Kong/decK-style messages at YAML paths. Messages never contain the offending value
 * (it may be a secret substituted from the environment).
 */
import type { ErrorObject } from './schemas.js';
import type { PathSegment } from './yaml.js';

export interface RawProblem {
  /** The path printed in the message. */
  path: PathSegment[];
  /** Where to point in the file when it differs from `path` (e.g. a missing field: its parent). */
  at?: PathSegment[];
  /** Point at the mapping key rather than the value (unknown fields). */
  key?: boolean;
  message: string;
}

/** Translate ajv errors for `data`; `base` is prepended to every path (e.g. a plugin's `config`). */
export function translateAjvErrors(errors: readonly ErrorObject[], data: unknown, base: PathSegment[] = []): RawProblem[] {
  const alternatives = errors.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf').map((e) => `${e.schemaPath}/`);
  const out: RawProblem[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    if (e.keyword === 'if') continue;
    if (alternatives.some((prefix) => e.schemaPath.startsWith(prefix))) continue;
    const path = [...base, ...pointerToPath(e.instancePath, data)];
    const problem = translate(e, path);
    const id = `${problem.path.join('\u0000')}|${problem.message}`;
    if (!seen.has(id)) {
      seen.add(id);
      out.push(problem);
    }
  }
  return out;
}

function translate(e: ErrorObject, path: PathSegment[]): RawProblem {
  const params = e.params as Record<string, unknown>;
  const schema = (e.parentSchema ?? {}) as Record<string, unknown>;
  const custom = typeof schema['x-message'] === 'string' ? (schema['x-message'] as string) : undefined;
  switch (e.keyword) {
    case 'additionalProperties':
      return { path: [...path, String(params.additionalProperty)], key: true, message: 'unknown field' };
    case 'required':
      return { path: [...path, String(params.missingProperty)], at: path, message: 'required field missing' };
    case 'dependencies':
    case 'dependentRequired':
      return { path: [...path, String(params.missingProperty)], at: path, message: `required field missing (needed with '${String(params.property)}')` };
  }
  if (custom) return { path, message: custom };
  switch (e.keyword) {
    case 'type':
      return { path, message: `expected ${typeNames(params.type)}` };
    case 'enum':
      return { path, message: `expected one of: ${(params.allowedValues as unknown[]).map(String).join(', ')}` };
    case 'const':
      return { path, message: `must be ${JSON.stringify(params.allowedValue)}` };
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return { path, message: rangeMessage(e.keyword, params.limit, schema) };
    case 'minLength':
    case 'minItems':
    case 'minProperties':
      return { path, message: `length must be at least ${String(params.limit)}` };
    case 'maxLength':
    case 'maxItems':
    case 'maxProperties':
      return { path, message: `length must be at most ${String(params.limit)}` };
    case 'uniqueItems':
      return { path, message: 'must not contain duplicates' };
    case 'pattern':
      return { path, message: `invalid value (must match ${String(params.pattern)})` };
    case 'format':
      return { path, message: `invalid ${String(params.format)}` };
    case 'anyOf':
    case 'oneOf':
      return { path, message: 'does not match any of the allowed forms' };
    case 'not':
      return { path, message: 'invalid value' };
    default:
      return { path, message: e.message ?? 'invalid value' };
  }
}

function typeNames(type: unknown): string {
  const names: Record<string, string> = {
    string: 'a string',
    integer: 'an integer',
    number: 'a number',
    boolean: 'a boolean',
    array: 'an array',
    object: 'a record',
    null: 'null',
  };
  const list = String(type).split(',');
  return list.map((t) => names[t] ?? t).join(' or ');
}

function rangeMessage(keyword: string, limit: unknown, schema: Record<string, unknown>): string {
  if (typeof schema.minimum === 'number' && typeof schema.maximum === 'number') {
    return `value should be between ${schema.minimum} and ${schema.maximum}`;
  }
  switch (keyword) {
    case 'minimum': return `value must be at least ${String(limit)}`;
    case 'maximum': return `value must be at most ${String(limit)}`;
    case 'exclusiveMinimum': return `value must be greater than ${String(limit)}`;
    default: return `value must be less than ${String(limit)}`;
  }
}

/** `/services/0/routes` → ['services', 0, 'routes'], using the data to tell array indexes from keys. */
export function pointerToPath(pointer: string, data: unknown): PathSegment[] {
  if (!pointer) return [];
  const out: PathSegment[] = [];
  let current = data;
  for (const raw of pointer.slice(1).split('/')) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(current)) {
      const idx = Number(seg);
      out.push(idx);
      current = current[idx];
    } else {
      out.push(seg);
      current = current !== null && typeof current === 'object' ? (current as Record<string, unknown>)[seg] : undefined;
    }
  }
  return out;
}
