import { readFileSync } from 'node:fs';
import type { JsonSchema } from '@gw/plugin-api';

/**
 * The JSON Schema lives in schema/config.schema.json (a data file users and docs can read). It is read
 * once at module load; the same relative path works from src/ (tests) and dist/ (built package).
 */
export const configSchema: JsonSchema = JSON.parse(
  readFileSync(new URL('../../schema/config.schema.json', import.meta.url), 'utf8'),
) as JsonSchema;
