/**
 * file-log config: the JSON Schema (schema/config.schema.json) plus the rules it can't phrase the way
 * Kong does (the filename rule's message) or that are gw's own (no Lua, custom_fields keys).
 */
import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { ConfigIssue, JsonSchema, JsonValue, ValidateContext } from '@gw/plugin-api';
import { splitFieldKey } from './custom-fields.js';

export interface FileLogConfig {
  path: string;
  reopen: boolean;
  /** gw extension: static values merged into every record (dotted keys). */
  custom_fields?: Record<string, JsonValue>;
  /** Kong only; refused unless null or empty. */
  custom_fields_by_lua?: Record<string, string> | null;
}

// Read at load time (never per request); the file sits next to src/ and dist/ alike.
export const configSchema: JsonSchema = JSON.parse(
  readFileSync(new URL('../schema/config.schema.json', import.meta.url), 'utf8'),
) as JsonSchema;

/**
 * Kong's `^[^%s*&%%\`][^*&%%\`]*[^%s*&%%\`]$` (Lua `%s` = ASCII whitespace); like Kong it needs at least
 * two characters. One source: the schema's `pattern`, which core reports with the schema's `x-message`.
 */
const pathSchema = (configSchema.properties as Record<string, { pattern: string }>).path;
export const KONG_FILENAME = new RegExp(pathSchema.pattern, 'u');
export const INVALID_FILENAME = 'not a valid filename';
export const LUA_UNSUPPORTED =
  'custom_fields_by_lua is not supported: gw does not run Lua; use custom_fields for static values';

function isJsonValue(value: unknown): boolean {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (Array.isArray(value)) return value.every(isJsonValue);
  const proto: unknown = typeof value === 'object' ? Object.getPrototypeOf(value) : undefined;
  if (proto === Object.prototype || proto === null) {
    return Object.values(value as object).every(isJsonValue);
  }
  return false;
}

const isPrefix = (a: string[], b: string[]) => a.length <= b.length && a.every((s, i) => s === b[i]);

function customFieldIssues(fields: unknown): ConfigIssue[] {
  if (typeof fields !== 'object' || fields === null || Array.isArray(fields)) return [];
  const issues: ConfigIssue[] = [];
  const seen: { key: string; segments: string[] }[] = [];
  for (const [key, value] of Object.entries(fields)) {
    const path = `custom_fields.${key}`;
    const segments = splitFieldKey(key);
    if (segments.some((s) => s === '')) {
      issues.push({ path, message: 'key has an empty segment (use \\. for a literal dot)' });
      continue;
    }
    if (!isJsonValue(value)) {
      issues.push({ path, message: 'must be a JSON value (string, number, boolean, null, array or object)' });
    }
    const clash = seen.find((other) => isPrefix(other.segments, segments) || isPrefix(segments, other.segments));
    if (clash) issues.push({ path, message: `overlaps custom_fields key "${clash.key}"` });
    seen.push({ key, segments });
  }
  return issues;
}

/**
 * gw's rules beyond the schema. Repeats the filename rule so a caller without the schema (or without
 * `x-message` support) still gets Kong's message; tolerates input the schema would reject.
 */
export function validateConfig(config: FileLogConfig, context?: ValidateContext): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  if (typeof config.path === 'string' && !KONG_FILENAME.test(config.path)) {
    issues.push({ path: 'path', message: INVALID_FILENAME });
  } else if (typeof config.path === 'string' && context !== undefined) {
    const warning = whereLinesGo(resolve(context.configDir, config.path));
    if (warning !== undefined) issues.push({ path: 'path', message: warning, severity: 'warning' });
  }
  const lua = config.custom_fields_by_lua;
  if (lua !== undefined && lua !== null && !(typeof lua === 'object' && Object.keys(lua).length === 0)) {
    issues.push({ path: 'custom_fields_by_lua', message: LUA_UNSUPPORTED });
  }
  issues.push(...customFieldIssues(config.custom_fields));
  return issues;
}

/**
 * What the first write would find out, said at `gw sync` and `gw start` instead: a folder that doesn't
 * exist or can't be written, a path that is a folder. Not an error: the writer keeps lines in memory and
 * retries, so a folder made after start (a volume mounted late) still gets every line. A symlink is
 * followed, as Kong's file-log follows it.
 */
function whereLinesGo(file: string): string | undefined {
  const folder = dirname(file);
  const kept = 'lines wait in memory (bounded) and are written once it is';
  try {
    if (statSync(file).isDirectory()) return `${file} is a folder, not a file: nothing can be logged there`;
  } catch {
    // No such file yet: the writer creates it in its folder.
  }
  let isFolder: boolean;
  try {
    isFolder = statSync(folder).isDirectory();
  } catch {
    return `the folder ${folder} does not exist: ${kept} created`;
  }
  if (!isFolder) return `${folder} is not a folder: nothing can be logged to ${file}`;
  try {
    accessSync(folder, constants.W_OK);
    accessSync(file, constants.F_OK);
    accessSync(file, constants.W_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    return `${file} cannot be written (${code ?? 'unknown error'}): ${kept} writable`;
  }
  return undefined;
}
