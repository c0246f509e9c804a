import { mkdir, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LogRecord, RequestContext } from '@gw/plugin-api';
import fileLog, { openWriterPaths, type FileLogConfig, type FileLogState } from '@gw/plugin-file-log';
import { captureLogger, ids, readLines, record, services, synchronous, tempDir, tick } from './helpers.js';

const ctx = {} as RequestContext; // file-log reads only the record

async function start(config: Partial<FileLogConfig> & { path: string }, configDir: string, logger = captureLogger()) {
  const full: FileLogConfig = { reopen: false, ...config };
  const state = (await fileLog.init!(full, services(configDir, logger))) as FileLogState;
  const log = (rec: LogRecord) => synchronous(fileLog.log!({ ctx, config: full, state, local: {}, record: rec }));
  return { state, log, close: () => fileLog.close!(state), reopen: () => fileLog.reopen!(state) };
}

describe('file-log plugin', () => {
  it('declares Kong metadata', () => {
    expect(fileLog.name).toBe('file-log');
    expect(fileLog.priority).toBe(9);
    expect(fileLog.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(Object.keys(fileLog).filter((k) => ['access', 'upstream', 'responseHeaders', 'responseBody'].includes(k))).toEqual([]);
  });

  it('writes 5,000 concurrent records of mixed sizes (some > 128 KiB) as 5,000 whole lines', async () => {
    const dir = await tempDir();
    const plugin = await start({ path: 'access.log' }, dir);
    const sizes = [100, 3_000, 70_000, 300]; // bytes of padding; every 20th record gets 200 KB
    const expected = Array.from({ length: 5_000 }, (_, i) => `req-${i}`);
    await Promise.all(
      expected.map(async (id, i) => {
        for (let k = 0; k < i % 4; k++) await tick();
        plugin.log(record(id, i % 20 === 0 ? 200_000 : sizes[i % sizes.length]));
      }),
    );
    await plugin.close();
    const lines = await readLines(join(dir, 'access.log'));
    expect(lines).toHaveLength(5_000);
    expect(ids(lines).sort()).toEqual([...expected].sort());
    expect(lines.filter((line) => Buffer.byteLength(JSON.stringify(line)) > 128 * 1024)).toHaveLength(250);
  });

  it('writes Kong\'s sample log object back byte-for-byte equivalent', async () => {
    const fixture = new URL('./fixtures/kong/docs/file-log-sample-log-object.json', import.meta.url);
    const sample = JSON.parse(await readFile(fixture, 'utf8')) as LogRecord;
    const dir = await tempDir();
    const plugin = await start({ path: 'kong.log' }, dir);
    plugin.log(sample);
    await plugin.close();
    expect(await readLines(join(dir, 'kong.log'))).toEqual([sample]);
  });

  it('writes JSON.stringify of gw\'s record byte for byte, its route and service shared and deep-frozen', async () => {
    const fixture = new URL('./fixtures/kong/docs/file-log-sample-log-object.json', import.meta.url);
    const sample = JSON.parse(await readFile(fixture, 'utf8')) as LogRecord;
    const freeze = <T>(value: T): T => {
      if (typeof value === 'object' && value !== null) for (const member of Object.values(value)) freeze(member);
      return Object.freeze(value);
    };
    const rec: LogRecord = { ...sample, route: freeze(sample.route), service: freeze(sample.service) };
    const dir = await tempDir();
    const plugin = await start({ path: 'frozen.log', custom_fields: { 'route.tag': 'own copy' } }, dir);
    const plain = await start({ path: 'plain.log' }, dir);
    plugin.log(rec);
    plain.log(rec);
    await plugin.close();
    await plain.close();
    expect(await readFile(join(dir, 'plain.log'), 'utf8')).toBe(`${JSON.stringify(rec)}\n`);
    const [line] = await readLines(join(dir, 'frozen.log'));
    expect(line.route).toEqual({ ...sample.route, tag: 'own copy' });
    expect(rec.route).not.toHaveProperty('tag');
  });

  it('resolves a relative path against the config folder', async () => {
    const dir = await tempDir();
    await mkdir(join(dir, 'logs'));
    const plugin = await start({ path: 'logs/gw.log' }, dir);
    plugin.log(record('a'));
    expect(plugin.state.writer.path).toBe(join(dir, 'logs/gw.log'));
    await plugin.close();
    expect(ids(await readLines(join(dir, 'logs/gw.log')))).toEqual(['a']);
  });

  it('shares one writer between instances on the same path and closes it with the last one', async () => {
    const dir = await tempDir();
    const path = join(dir, 'shared.log');
    const one = await start({ path }, dir);
    const two = await start({ path: 'shared.log' }, dir);
    expect(openWriterPaths().filter((p) => p === path)).toHaveLength(1);
    one.log(record('from-one'));
    two.log(record('from-two'));
    await one.close();
    expect(openWriterPaths()).toContain(path);
    two.log(record('after-one-closed'));
    await two.close();
    expect(openWriterPaths()).not.toContain(path);
    expect(ids(await readLines(path)).sort()).toEqual(['after-one-closed', 'from-one', 'from-two']);
  });

  it('keeps the file open across a reload (new instance before the old one closes)', async () => {
    const dir = await tempDir();
    const path = join(dir, 'reload.log');
    const old = await start({ path }, dir);
    old.log(record('before'));
    await old.state.writer.flush();
    // Moved away without a reopen signal: an open descriptor keeps appending to the moved file.
    await rename(path, join(dir, 'moved.log'));
    const next = await start({ path }, dir);
    await old.close();
    next.log(record('after'));
    await next.close();
    expect(ids(await readLines(join(dir, 'moved.log')))).toEqual(['before', 'after']);
    expect(await readLines(path)).toEqual([]);
  });

  it('reopen: true opens the path again for every batch (Kong rotation without a signal)', async () => {
    const dir = await tempDir();
    const path = join(dir, 'reopen.log');
    const plugin = await start({ path, reopen: true }, dir);
    plugin.log(record('first'));
    await plugin.state.writer.flush();
    await rename(path, join(dir, 'reopen.log.1'));
    plugin.log(record('second'));
    await plugin.close();
    expect(ids(await readLines(join(dir, 'reopen.log.1')))).toEqual(['first']);
    expect(ids(await readLines(path))).toEqual(['second']);
  });

  it('merges custom_fields into every record without touching the shared record', async () => {
    const dir = await tempDir();
    const plugin = await start(
      { path: 'custom.log', custom_fields: { env: 'prod', 'team.name': 'ai', 'request.tenant': 7, 'a\\.b': true } },
      dir,
    );
    const rec = record('c');
    plugin.log(rec);
    await plugin.close();
    const [line] = await readLines(join(dir, 'custom.log'));
    expect(line.env).toBe('prod');
    expect(line.team).toEqual({ name: 'ai' });
    expect(line['a.b']).toBe(true);
    expect(line.request.tenant).toBe(7);
    expect(line.request.id).toBe('c');
    expect(rec.request).not.toHaveProperty('tenant');
    expect(rec).not.toHaveProperty('env');
  });

  it('flushes queued lines on close', async () => {
    const dir = await tempDir();
    const plugin = await start({ path: 'flush.log' }, dir);
    for (let i = 0; i < 1_000; i++) plugin.log(record(`f${i}`, 2_000));
    await plugin.close(); // no flush() before: close alone must write everything
    expect(await readLines(join(dir, 'flush.log'))).toHaveLength(1_000);
  });

  it('skips a record that cannot be serialized, reports it once by kind, and goes on', async () => {
    const dir = await tempDir();
    const logger = captureLogger();
    const plugin = await start({ path: 'bad.log' }, dir, logger);
    const cyclic = record('cyclic') as LogRecord & { self?: unknown };
    cyclic.self = cyclic;
    expect(() => plugin.log(cyclic)).not.toThrow();
    plugin.log({ ...record('bigint'), n: 1n });
    plugin.log(record('fine'));
    await plugin.close();
    expect(ids(await readLines(join(dir, 'bad.log')))).toEqual(['fine']);
    expect(logger.errors).toHaveLength(1);
    expect(logger.errors[0]).toContain('TypeError');
    expect(plugin.state.unserializable).toBe(2);
  });
});
