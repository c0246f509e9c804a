import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import fileLog, { INVALID_FILENAME, LUA_UNSUPPORTED, applyCustomFields, compileCustomFields, splitFieldKey, validateConfig, type FileLogConfig } from '@gw/plugin-file-log';

// ajv is core's dependency (core compiles plugin schemas); borrow it to check the schema the way core will.
type Check = ((data: unknown) => boolean) & { errors?: { instancePath: string; parentSchema?: Record<string, unknown> }[] | null };
const Ajv = createRequire(new URL('../../core/package.json', import.meta.url))('ajv') as new (options: object) => {
  compile(schema: object): Check;
  addKeyword(definition: object): void;
};
const ajv = new Ajv({ useDefaults: true, allErrors: true, strict: false, verbose: true });
ajv.addKeyword({ keyword: 'x-message', schemaType: ['string'] }); // core's error-text keyword
const check = ajv.compile(fileLog.configSchema);

const issues = (config: Partial<FileLogConfig> & Record<string, unknown>) =>
  validateConfig({ path: '/var/log/gw.log', reopen: false, ...config } as FileLogConfig);

describe('config schema', () => {
  it('requires path, defaults reopen to false, refuses unknown keys', () => {
    const config: Record<string, unknown> = { path: 'gw.log' };
    expect(check(config)).toBe(true);
    expect(config.reopen).toBe(false);
    expect(check({})).toBe(false);
    expect(check({ path: 'gw.log', nope: 1 })).toBe(false);
    expect(check({ path: 'gw.log', reopen: 'yes' })).toBe(false);
  });

  it('carries Kong\'s filename rule with Kong\'s message (x-message) for core to report', () => {
    expect(check({ path: 'gw.log ' })).toBe(false);
    expect(check.errors).toHaveLength(1);
    expect(check.errors![0].instancePath).toBe('/path');
    expect(check.errors![0].parentSchema?.['x-message']).toBe(INVALID_FILENAME);
    expect(check({ path: '/var/log/a b.log' })).toBe(true);
  });

  it('accepts the keys a decK dump of Kong carries, so validate() can speak about Lua', () => {
    expect(check({ path: '/tmp/x.log', reopen: true, custom_fields_by_lua: null })).toBe(true);
    expect(check({ path: '/tmp/x.log', custom_fields_by_lua: { a: 'return 1' } })).toBe(true);
    expect(check({ path: '/tmp/x.log', custom_fields: { 'a.b': [1, { c: null }] } })).toBe(true);
    expect(check({ path: '/tmp/x.log', custom_fields: 'x' })).toBe(false);
  });
});

describe('validate', () => {
  it.each(['/var/log/gw.log', 'gw.log', 'logs/a b.log', '/dev/stdout', 'ab'])('accepts %j', (path) => {
    expect(issues({ path })).toEqual([]);
  });

  it.each([' gw.log', 'gw.log ', 'gw.log\n', 'a*b.log', 'a&b', '100%.log', '`x`', 'a', ''])('refuses %j like Kong', (path) => {
    expect(issues({ path })).toEqual([{ path: 'path', message: INVALID_FILENAME }]);
  });

  it('uses Kong\'s exact message', () => {
    expect(INVALID_FILENAME).toBe('not a valid filename');
  });

  it('refuses custom_fields_by_lua with a pointer to custom_fields; null and {} pass', () => {
    expect(issues({ custom_fields_by_lua: { route_name: 'return kong.router.get_route().name' } })).toEqual([
      {
        path: 'custom_fields_by_lua',
        message: 'custom_fields_by_lua is not supported: gw does not run Lua; use custom_fields for static values',
      },
    ]);
    expect(LUA_UNSUPPORTED).toContain('custom_fields');
    expect(issues({ custom_fields_by_lua: null })).toEqual([]);
    expect(issues({ custom_fields_by_lua: {} })).toEqual([]);
  });

  it('checks custom_fields keys and values', () => {
    expect(issues({ custom_fields: { 'a..b': 1, 'ok.key': 'x', 'when': new Date(0) as never, 'ok': 2 } })).toEqual([
      { path: 'custom_fields.a..b', message: 'key has an empty segment (use \\. for a literal dot)' },
      { path: 'custom_fields.when', message: 'must be a JSON value (string, number, boolean, null, array or object)' },
      { path: 'custom_fields.ok', message: 'overlaps custom_fields key "ok.key"' },
    ]);
  });

  it('reports every problem at once', () => {
    expect(issues({ path: ' x', custom_fields_by_lua: { a: 'b' }, custom_fields: { '.': 1 } }).map((i) => i.path)).toEqual([
      'path',
      'custom_fields_by_lua',
      'custom_fields..',
    ]);
  });
});

describe('custom fields', () => {
  it('splits dotted keys with \\. escapes', () => {
    expect(splitFieldKey('a.b\\.c.d')).toEqual(['a', 'b.c', 'd']);
    expect(splitFieldKey('plain')).toEqual(['plain']);
  });

  it('sets nested values, replaces non-objects on the way, and copies instead of mutating', () => {
    const original = { request: { id: '1', headers: { a: '1' } }, upstream_status: '200', ai: 'x' };
    const out = applyCustomFields(original, compileCustomFields({ 'request.headers.b': '2', 'ai.tenant': 't', env: { name: 'prod' } }));
    expect(out).toEqual({ request: { id: '1', headers: { a: '1', b: '2' } }, upstream_status: '200', ai: { tenant: 't' }, env: { name: 'prod' } });
    expect(original).toEqual({ request: { id: '1', headers: { a: '1' } }, upstream_status: '200', ai: 'x' });
    expect(applyCustomFields(original, [])).toBe(original);
  });
});
