import { chmod, mkdir, rename, writeFile, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import type { RequestContext } from '@gw/plugin-api';
import fileLog, { acquireWriter, createLineWriter, type FileLogConfig, type FileLogState } from '@gw/plugin-file-log';
import { captureLogger, ids, readLines, record, services, synchronous, tempDir, tick } from './helpers.js';

const line = (id: string, padding = 0) => JSON.stringify(record(id, padding));
const fast = { retryDelayMs: 5 }; // retries are waited for with vi.waitFor, never timed

describe('rotation', () => {
  it('rename then reopen() in the middle of a load: old + new file hold every id exactly once', async () => {
    const dir = await tempDir();
    const path = join(dir, 'rotate.log');
    const config: FileLogConfig = { path, reopen: false };
    const state = (await fileLog.init!(config, services(dir))) as FileLogState;
    const log = (id: string, padding = 0) =>
      synchronous(fileLog.log!({ ctx: {} as RequestContext, config, state, local: {}, record: record(id, padding) }));

    log('before-rename');
    await state.writer.flush();
    const expected = ['before-rename', 'after-reopen'];
    const producers = Array.from({ length: 20 }, async (_, p) => {
      for (let i = 0; i < 200; i++) {
        const id = `p${p}-${i}`;
        expected.push(id);
        log(id, i % 50 === 0 ? 100_000 : 500);
        await tick();
      }
    });
    const rotation = (async () => {
      for (let i = 0; i < 50; i++) await tick(); // let the load get going
      await rename(path, `${path}.1`);
      await fileLog.reopen!(state); // what SIGUSR1 does
      log('after-reopen');
    })();
    await Promise.all([...producers, rotation]);
    await fileLog.close!(state);

    const old = ids(await readLines(`${path}.1`));
    const current = ids(await readLines(path));
    expect(old.length).toBeGreaterThan(1); // the rename really happened mid-load
    expect(current.length).toBeGreaterThan(1);
    expect(old).toContain('before-rename');
    expect(current).toContain('after-reopen');
    expect([...old, ...current].sort()).toEqual(expected.sort());
  });
});

describe('unwritable paths', () => {
  it('a missing folder is reported once; once it exists the queued lines and new ones are written', async () => {
    const dir = await tempDir();
    const path = join(dir, 'later', 'gw.log');
    const logger = captureLogger();
    const writer = acquireWriter(path, { logger, writer: fast });
    for (let i = 0; i < 3; i++) writer.write(line(`early-${i}`));
    await writer.flush();
    await vi.waitFor(() => expect(writer.stats().errors).toBeGreaterThanOrEqual(3)); // several failed retries
    writer.write(line('during'));
    expect(logger.errors).toHaveLength(1);
    expect(logger.errors[0]).toContain(path);
    expect(logger.errors[0]).toContain('ENOENT');

    await mkdir(join(dir, 'later'));
    await vi.waitFor(() => expect(writer.stats().written).toBe(4));
    writer.write(line('after'));
    await writer.release();
    expect(ids(await readLines(path))).toEqual(['early-0', 'early-1', 'early-2', 'during', 'after']);
    expect(logger.errors).toHaveLength(1);
    expect(logger.infos.some((m) => m.includes('again') && m.includes(path))).toBe(true);
  });

  it('a path that is a folder (EISDIR) is reported with its code, and close gives up without hanging', async () => {
    const dir = await tempDir();
    const logger = captureLogger();
    const writer = createLineWriter(dir, { logger, ...fast });
    writer.write(line('x'));
    writer.write(line('y'));
    await writer.close();
    expect(logger.errors[0]).toContain('EISDIR');
    expect(logger.errors.at(-1)).toMatch(/2 lines .* were not written/);
    expect(writer.stats()).toMatchObject({ lost: 2, written: 0, queuedLines: 0 });
    writer.write(line('late'));
    expect(writer.stats().dropped).toBe(1);
  });

  it.skipIf(!existsSync('/dev/full'))('a failing write (ENOSPC on /dev/full) keeps the batch, is reported once, and is counted as lost at close', async () => {
    const logger = captureLogger();
    const writer = createLineWriter('/dev/full', { logger, ...fast });
    writer.write(line('a'));
    writer.write(line('b'));
    await vi.waitFor(() => expect(writer.stats().errors).toBeGreaterThanOrEqual(3));
    await writer.close();
    expect(logger.errors[0]).toContain('ENOSPC');
    expect(logger.errors).toHaveLength(2); // the outage, then the loss at close
    expect(writer.stats()).toMatchObject({ written: 0, lost: 2 });
  });

  it('EACCES is reported once and logging resumes when permissions are restored', async (ctx) => {
    const dir = await tempDir();
    const locked = join(dir, 'locked');
    await mkdir(locked);
    await chmod(locked, 0o000);
    // Root (CI containers) ignores permission bits, so there is nothing to test there.
    const probe = join(locked, 'probe');
    const blocked = await writeFile(probe, '').then(() => false, () => true);
    if (!blocked) {
      await rm(probe);
      await chmod(locked, 0o755);
      ctx.skip();
    }
    const logger = captureLogger();
    const writer = acquireWriter(join(locked, 'gw.log'), { logger, writer: fast });
    writer.write(line('a'));
    await vi.waitFor(() => expect(writer.stats().errors).toBeGreaterThanOrEqual(2));
    expect(logger.errors).toHaveLength(1);
    expect(logger.errors[0]).toContain('EACCES');
    await chmod(locked, 0o755);
    await vi.waitFor(() => expect(writer.stats().written).toBe(1));
    await writer.release();
    expect(ids(await readLines(join(locked, 'gw.log')))).toEqual(['a']);
  });
});

describe('queue bounds', () => {
  it('drops lines beyond the cap, counts them, warns once, and reports the total when there is room again', async () => {
    const dir = await tempDir();
    const logger = captureLogger();
    const writer = createLineWriter(join(dir, 'missing', 'q.log'), { logger, maxQueuedLines: 10, ...fast });
    for (let i = 0; i < 15; i++) writer.write(line(`q${i}`));
    expect(writer.stats()).toMatchObject({ dropped: 5, queuedLines: 10 });
    expect(logger.warnings).toHaveLength(1);
    expect(logger.warnings[0]).toContain('queue full');

    await mkdir(join(dir, 'missing'));
    await vi.waitFor(() => expect(writer.stats().written).toBe(10));
    writer.write(line('q-after'));
    await writer.close();
    expect(logger.warnings[1]).toContain('5 lines were dropped');
    expect(ids(await readLines(join(dir, 'missing', 'q.log')))).toEqual([...Array.from({ length: 10 }, (_, i) => `q${i}`), 'q-after']);
  });

  it('caps queued bytes too', async () => {
    const dir = await tempDir();
    const writer = createLineWriter(join(dir, 'missing', 'b.log'), { logger: captureLogger(), maxQueuedBytes: 10_000, ...fast });
    writer.write(line('small'));
    writer.write(line('big', 20_000));
    expect(writer.stats()).toMatchObject({ dropped: 1, queuedLines: 1 });
    await writer.close();
  });
});

describe('atomic appends', () => {
  it('two independent writers (like two processes) on one file never tear 300 KB lines', async () => {
    const dir = await tempDir();
    const path = join(dir, 'two.log');
    const a = createLineWriter(path, { logger: captureLogger() });
    const b = createLineWriter(path, { logger: captureLogger(), maxBatchBytes: 1 });
    const expected: string[] = [];
    for (let i = 0; i < 60; i++) {
      for (const [name, writer] of [['a', a], ['b', b]] as const) {
        expected.push(`${name}${i}`);
        writer.write(line(`${name}${i}`, 300_000));
      }
      await tick();
    }
    await Promise.all([a.close(), b.close()]);
    expect(ids(await readLines(path)).sort()).toEqual(expected.sort());
  });
});

describe('shared writer lifecycle', () => {
  it('a writer created while the previous one for the path is still closing waits for it (no reordering)', async () => {
    const dir = await tempDir();
    const path = join(dir, 'order.log');
    const first = acquireWriter(path, { logger: captureLogger() });
    for (let i = 0; i < 40; i++) first.write(line(`old${i}`, 200_000)); // several batches
    const released = first.release();
    const second = acquireWriter(path, { logger: captureLogger() });
    second.write(line('new'));
    await Promise.all([released, second.release()]);
    const written = ids(await readLines(path));
    expect(written).toHaveLength(41);
    expect(written.at(-1)).toBe('new');
  });

  it('release is idempotent per handle', async () => {
    const dir = await tempDir();
    const path = join(dir, 'twice.log');
    const a = acquireWriter(path, { logger: captureLogger() });
    const b = acquireWriter(path, { logger: captureLogger() });
    await a.release();
    await a.release();
    b.write(line('still-open'));
    await b.release();
    expect(ids(await readLines(path))).toEqual(['still-open']);
  });
});
