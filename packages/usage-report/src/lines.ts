/**
 * The lines of one file-log file (or standard input), streamed: plain text or gzip, told apart by the
 * gzip magic bytes rather than the name (logrotate's `.gz`, but also a renamed or piped archive). Memory
 * holds one chunk and one line at a time, whatever the file's size.
 */
import { createReadStream } from 'node:fs';
import { pipeline, Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';

/**
 * A longer line is skipped and counted, not buffered: file-log's records are a few KiB (tens with
 * `log_payloads`, whose response copy is capped at 1 MiB), so only a damaged file (no newline for a long
 * stretch) gets near it, and it must not take the process's memory with it.
 */
export const MAX_LINE_BYTES = 64 * 1024 * 1024;

export type RawLine =
  | { kind: 'text'; number: number; text: string; /** the source's last line, with no newline after it */ unterminated: boolean }
  | { kind: 'oversize'; number: number; unterminated: boolean };

/** The chunks of a path, `-` being standard input. */
export function openSource(path: string): AsyncIterable<Buffer> {
  return path === '-' ? (process.stdin as AsyncIterable<Buffer>) : createReadStream(path, { highWaterMark: 256 * 1024 });
}

const isGzip = (head: Buffer) => head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;

/** The chunks as given, or inflated when they start with gzip's magic bytes (concatenated members too). */
export async function* inflateIfGzip(chunks: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  const iterator = chunks[Symbol.asyncIterator]();
  let head: Buffer = Buffer.alloc(0);
  while (head.length < 2) {
    const next = await iterator.next();
    if (next.done) {
      if (head.length > 0) yield head;
      return;
    }
    head = head.length === 0 ? next.value : Buffer.concat([head, next.value]);
  }
  async function* all(): AsyncGenerator<Buffer> {
    yield head;
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      yield next.value;
    }
  }
  if (!isGzip(head)) {
    yield* all();
    return;
  }
  // pipeline destroys both sides on an error: a truncated archive ends the loop below with zlib's error.
  const inflated = pipeline(Readable.from(all()), createGunzip(), () => {});
  for await (const chunk of inflated) yield chunk as Buffer;
}

/**
 * The chunks until the source fails (a truncated or corrupt .gz, a read error): the failure goes to
 * `onError` and the chunks just end, so the line in progress is still seen, as the file's last.
 */
export async function* untilError(chunks: AsyncIterable<Buffer>, onError: (error: unknown) => void): AsyncGenerator<Buffer> {
  try {
    yield* chunks;
  } catch (error) {
    onError(error);
  }
}

/** Splits chunks on `\n` (a `\r` before it is left to JSON.parse, which takes it as whitespace). */
export async function* splitLines(chunks: AsyncIterable<Buffer>, maxBytes = MAX_LINE_BYTES): AsyncGenerator<RawLine> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let oversize = false;
  let number = 0;
  for await (const chunk of chunks) {
    let start = 0;
    for (let newline = chunk.indexOf(10, start); newline !== -1; newline = chunk.indexOf(10, start)) {
      number++;
      if (oversize || pendingBytes + newline - start > maxBytes) {
        yield { kind: 'oversize', number, unterminated: false };
      } else if (pendingBytes + newline - start > 0) {
        const bytes = pendingBytes === 0 ? chunk.subarray(start, newline) : Buffer.concat([...pending, chunk.subarray(start, newline)]);
        yield { kind: 'text', number, text: bytes.toString('utf8'), unterminated: false };
      }
      pending = [];
      pendingBytes = 0;
      oversize = false;
      start = newline + 1;
    }
    if (start < chunk.length && !oversize) {
      const rest = chunk.subarray(start);
      if (pendingBytes + rest.length > maxBytes) {
        oversize = true;
        pending = [];
        pendingBytes = 0;
      } else {
        pending.push(rest);
        pendingBytes += rest.length;
      }
    }
  }
  if (oversize) yield { kind: 'oversize', number: number + 1, unterminated: true };
  else if (pendingBytes > 0) yield { kind: 'text', number: number + 1, text: Buffer.concat(pending).toString('utf8'), unterminated: true };
}
