import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LogRecord, RequestContext } from '@gw/plugin-api';
import fileLog, { type FileLogConfig, type FileLogState } from '@gw/plugin-file-log';
import { recordLine } from '../src/line.js';
import { services, synchronous, tempDir } from './helpers.js';

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const member of Object.values(value)) deepFreeze(member);
    Object.freeze(value);
  }
  return value;
}

/** Kong's sample record with its route and service shared and deep-frozen, as gw's records have them. */
async function sample(): Promise<LogRecord> {
  const fixture = new URL('./fixtures/kong/docs/file-log-sample-log-object.json', import.meta.url);
  const rec = JSON.parse(await readFile(fixture, 'utf8')) as LogRecord;
  return { ...rec, route: deepFreeze(rec.route), service: deepFreeze(rec.service) };
}

describe('a record line', () => {
  it('is JSON.stringify of the record, with the frozen route and service written from JSON kept per object', async () => {
    const rec = await sample();
    expect(rec.route).not.toBeNull();
    expect(recordLine(rec)).toBe(JSON.stringify(rec));
    // The same objects again (the cached JSON), and among other members in other orders and shapes.
    expect(recordLine(rec)).toBe(JSON.stringify(rec));
    const variants: LogRecord[] = [
      { ...rec, ai: { proxy: { usage: { total_tokens: 3 } } }, skipped: undefined, fn: () => 1 } as unknown as LogRecord,
      { '7': 'index-like first', ...rec, 'quo"te\n': 'é\u2028', service: null } as LogRecord,
      { ...rec, route: { ...rec.route, tag: 'own copy' } },
      { ...rec, started: new Date(0), route: rec.route } as unknown as LogRecord,
      { ...rec, service: Object.freeze({ nested: { open: true } }) } as unknown as LogRecord,
    ];
    for (const v of variants) expect(recordLine(v)).toBe(JSON.stringify(v));
  });

  it('never serves stale JSON: a route that is not frozen all the way down is serialized each time', async () => {
    const rec = await sample();
    const inner = { open: ['a'] };
    const shallow = Object.freeze({ name: 'r', inner });
    const withShallow = { ...rec, route: shallow } as unknown as LogRecord;
    expect(recordLine(withShallow)).toBe(JSON.stringify(withShallow));
    inner.open.push('b');
    expect(recordLine(withShallow)).toContain('["a","b"]');
    expect(recordLine(withShallow)).toBe(JSON.stringify(withShallow));
  });

  it('matches JSON.stringify on generated records', async () => {
    const base = await sample();
    const json = fc.jsonValue({ maxDepth: 3 });
    fc.assert(
      fc.property(fc.dictionary(fc.string(), json, { maxKeys: 6 }), fc.option(json), fc.boolean(), (extra, route, frozen) => {
        const rec = { ...extra, ...base, ...extra, route: frozen ? deepFreeze(route) : route } as unknown as LogRecord;
        expect(recordLine(rec)).toBe(JSON.stringify(rec));
      }),
      { numRuns: 300 },
    );
  });

  it('is what file-log writes, byte for byte', async () => {
    const rec = await sample();
    const dir = await tempDir();
    const config: FileLogConfig = { path: 'line.log', reopen: false };
    const state = (await fileLog.init!(config, services(dir))) as FileLogState;
    synchronous(fileLog.log!({ ctx: {} as RequestContext, config, state, local: {}, record: rec }));
    synchronous(fileLog.log!({ ctx: {} as RequestContext, config, state, local: {}, record: rec }));
    await fileLog.close!(state);
    const line = `${JSON.stringify(rec)}\n`;
    expect(await readFile(join(dir, 'line.log'), 'utf8')).toBe(line + line);
  });
});
