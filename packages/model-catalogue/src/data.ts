import { readFileSync } from 'node:fs';
import type { CatalogueData } from './types.js';

export type JsonSchemaObject = { [key: string]: unknown };

/** The bundled data file and its schema sit next to src/ and dist/ alike; read once, at first use. */
export const DATA_URL = new URL('../data/catalogue.json', import.meta.url);
export const SCHEMA_URL = new URL('../schema/catalogue.schema.json', import.meta.url);

let bundled: CatalogueData | undefined;

/** The catalogue shipped with gw (parsed once per process). */
export function bundledData(): CatalogueData {
  bundled ??= JSON.parse(readFileSync(DATA_URL, 'utf8')) as CatalogueData;
  return bundled;
}

/** The JSON Schema of the data, for validating an override file the same way the tests validate ours. */
export function catalogueSchema(): JsonSchemaObject {
  return JSON.parse(readFileSync(SCHEMA_URL, 'utf8')) as JsonSchemaObject;
}
