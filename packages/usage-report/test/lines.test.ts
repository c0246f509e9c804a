/** The streaming reader: lines across chunk boundaries, gzip by magic bytes, damage counted as it ends. */
import { describe, expect, it } from 'vitest';
import { gzipSync } from 'node:zlib';
import { inflateIfGzip, splitLines, untilError, type RawLine } from '../src/lines.js';

async function collect(chunks: AsyncIterable<Buffer>, max?: number): Promise<RawLine[]> {
  const out: RawLine[] = [];
  for await (const line of splitLines(chunks, max)) out.push(line);
  return out;
}

/** The bytes in chunks of `size` (1: every byte its own chunk, the worst case for a splitter). */
async function* chunked(bytes: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

const texts = (lines: RawLine[]) => lines.map((l) => (l.kind === 'text' ? l.text : `<oversize ${l.number}>`));

describe('splitLines', () => {
  const text = '{"a":1}\n{"b":"é ✓"}\r\n\n{"c":3}';

  it.each([1, 2, 3, 7, 1024])('splits the same whatever the chunk size (%i bytes)', async (size) => {
    const lines = await collect(chunked(Buffer.from(text), size));
    expect(texts(lines)).toEqual(['{"a":1}', '{"b":"é ✓"}\r', '{"c":3}']);
    expect(lines.map((l) => l.number)).toEqual([1, 2, 4]);
    expect(lines.map((l) => l.unterminated)).toEqual([false, false, true]);
  });

  it('skips a line over the limit without buffering it, and goes on at the next newline', async () => {
    const long = 'x'.repeat(100);
    const lines = await collect(chunked(Buffer.from(`ok\n${long}\nafter\n${long}`), 7), 50);
    expect(texts(lines)).toEqual(['ok', '<oversize 2>', 'after', '<oversize 4>']);
    expect(lines.at(-1)).toMatchObject({ kind: 'oversize', unterminated: true });
  });

  it('yields nothing for an empty source and for newlines only', async () => {
    expect(await collect(chunked(Buffer.alloc(0), 1))).toEqual([]);
    expect(await collect(chunked(Buffer.from('\n\n\n'), 1))).toEqual([]);
  });
});

describe('inflateIfGzip', () => {
  const text = Array.from({ length: 2000 }, (_, i) => JSON.stringify({ started_at: i, n: i })).join('\n') + '\n';

  it('inflates gzip told by its magic bytes, also split after the first byte', async () => {
    const gz = gzipSync(text);
    const out = await collect(inflateIfGzip(chunked(gz, 1)));
    expect(out).toHaveLength(2000);
    expect(texts(out)[1999]).toBe('{"started_at":1999,"n":1999}');
  });

  it('reads concatenated gzip members (cat a.gz b.gz) as one stream', async () => {
    const out = await collect(inflateIfGzip(chunked(Buffer.concat([gzipSync('{"a":1}\n'), gzipSync('{"b":2}\n')]), 5)));
    expect(texts(out)).toEqual(['{"a":1}', '{"b":2}']);
  });

  it('passes plain text through, including a one-byte source', async () => {
    expect(texts(await collect(inflateIfGzip(chunked(Buffer.from(text), 4096))))).toHaveLength(2000);
    expect(texts(await collect(inflateIfGzip(chunked(Buffer.from('x'), 1))))).toEqual(['x']);
  });

  it('a truncated .gz: the error is reported once, the lines before it counted, the cut line last and unterminated', async () => {
    const gz = gzipSync(text);
    const errors: unknown[] = [];
    const out = await collect(untilError(inflateIfGzip(chunked(gz.subarray(0, Math.floor(gz.length * 0.6)), 512)), (e) => errors.push(e)));
    expect(errors).toHaveLength(1);
    expect((errors[0] as NodeJS.ErrnoException).code).toBe('Z_BUF_ERROR');
    expect(out.length).toBeGreaterThan(100);
    expect(out.slice(0, -1).every((l, i) => l.kind === 'text' && l.text === JSON.stringify({ started_at: i, n: i }))).toBe(true);
  });

  it('corrupt gzip data reports Z_DATA_ERROR and ends the source', async () => {
    const gz = gzipSync(text);
    gz.fill(0x55, 40, 80);
    const errors: unknown[] = [];
    await collect(untilError(inflateIfGzip(chunked(gz, 512)), (e) => errors.push(e)));
    expect((errors[0] as NodeJS.ErrnoException).code).toBe('Z_DATA_ERROR');
  });

  it('reads 50,000 gzipped lines fed in 64 KiB chunks', async () => {
    const lines = Array.from({ length: 50_000 }, (_, i) => JSON.stringify({ started_at: i, pad: 'p'.repeat(180) }));
    let count = 0;
    for await (const line of splitLines(inflateIfGzip(chunked(gzipSync(`${lines.join('\n')}\n`), 64 * 1024)))) {
      if (line.kind === 'text' && line.text === lines[count]) count++;
    }
    expect(count).toBe(50_000);
  });
});
