/**
 * The ajv validators: the decK file schema, compiled once per process, and each plugin's `configSchema`,
 * compiled once per plugin definition.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';
import type { AnyPlugin } from '../runtime/registry.js';

/**
 * The package's own copy of the repository's schemas/ (scripts/copy-schemas.mjs makes it at build, pack and
 * test time), so an installed @gw/core finds it too. src/config/ and dist/config/ are both two levels down.
 */
const SCHEMA_DIR = new URL('../../schemas/', import.meta.url);
const ENTITY_SCHEMAS = ['plugin', 'route', 'service', 'consumer', 'consumer-group', 'certificate', 'ca-certificate', 'deck-file'] as const;

/** Schema keywords gw understands beyond JSON Schema: `x-secret` marks secrets, `x-message` overrides the error text. */
const GW_KEYWORDS = ['x-secret', 'x-message'];

function newAjv(strict: boolean): Ajv {
  const ajv = new Ajv({ allErrors: true, useDefaults: true, verbose: true, strict, strictTypes: false, strictRequired: false });
  for (const keyword of GW_KEYWORDS) ajv.addKeyword({ keyword, schemaType: ['string', 'boolean'] });
  return ajv;
}

let deckValidator: ValidateFunction | undefined;

/** Validates one whole decK file (entity schemas are referenced from it). Mutates: fills defaults. */
export function deckFileValidator(): ValidateFunction {
  if (!deckValidator) {
    const ajv = newAjv(true);
    for (const name of ENTITY_SCHEMAS) {
      const text = readFileSync(fileURLToPath(new URL(`${name}.schema.json`, SCHEMA_DIR)), 'utf8');
      // Keyed by file name, no $id: the relative $refs between the files then resolve the same way for
      // ajv and for editors reading schemas/ from disk (yaml-language-server modelines).
      ajv.addSchema(JSON.parse(text) as object, `${name}.schema.json`);
    }
    deckValidator = ajv.getSchema('deck-file.schema.json')!;
  }
  return deckValidator;
}

/** Property names the service / route schemas allow (for `_info.defaults`). */
export function entityFields(kind: 'service' | 'route'): Set<string> {
  let fields = fieldCache.get(kind);
  if (!fields) {
    const text = readFileSync(fileURLToPath(new URL(`${kind}.schema.json`, SCHEMA_DIR)), 'utf8');
    fields = new Set(Object.keys((JSON.parse(text) as { properties: object }).properties));
    fieldCache.set(kind, fields);
  }
  return fields;
}
const fieldCache = new Map<string, Set<string>>();

/** One entity schema as JSON (the admin API reads its `x-secret` marks). */
export function entitySchema(name: (typeof ENTITY_SCHEMAS)[number]): Record<string, unknown> {
  let schema = schemaCache.get(name);
  if (!schema) {
    schema = JSON.parse(readFileSync(fileURLToPath(new URL(`${name}.schema.json`, SCHEMA_DIR)), 'utf8')) as Record<string, unknown>;
    schemaCache.set(name, schema);
  }
  return schema;
}
const schemaCache = new Map<string, Record<string, unknown>>();

// Plugin schemas come from other packages and may use keywords we don't know: not strict.
const pluginAjv = newAjv(false);
const pluginValidators = new WeakMap<AnyPlugin, ValidateFunction | Error>();

/** The compiled config validator for a plugin definition, or the compile error (a bug in the plugin's schema). */
export function pluginConfigValidator(plugin: AnyPlugin): ValidateFunction | Error {
  let v = pluginValidators.get(plugin);
  if (!v) {
    try {
      v = pluginAjv.compile(plugin.configSchema);
    } catch (err) {
      v = err instanceof Error ? err : new Error(String(err));
    }
    pluginValidators.set(plugin, v);
  }
  return v;
}

export type { ErrorObject };
