import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LogRecord, Logger, PluginServices } from '@gw/plugin-api';

export interface CapturedLogger extends Logger {
  infos: string[];
  warnings: string[];
  errors: string[];
}

export function captureLogger(): CapturedLogger {
  const infos: string[] = [];
  const warnings: string[] = [];
  const errors: string[] = [];
  return {
    infos,
    warnings,
    errors,
    info: (m) => void infos.push(m),
    warn: (m) => void warnings.push(m),
    error: (m) => void errors.push(m),
  };
}

export const tempDir = () => mkdtemp(join(tmpdir(), 'gw-file-log-'));

export function services(configDir: string, logger: Logger = captureLogger()): PluginServices {
  return { logger, configDir, pluginId: 'file-log-test', scope: { service: null, route: null, consumer: null, consumerGroup: null } };
}

/** A Kong-shaped record whose serialized size is roughly `padding` bytes more than the base record. */
export function record(id: string, padding = 0): LogRecord {
  return {
    request: { id, uri: '/v1/messages', url: 'http://127.0.0.1/v1/messages', querystring: {}, method: 'POST', headers: {}, size: 10 },
    upstream_uri: '/model/x/invoke',
    upstream_status: '200',
    response: { status: 200, headers: {}, size: 20 },
    latencies: { kong: 1, proxy: 2, request: 3, receive: 0 },
    tries: [],
    route: null,
    service: null,
    consumer: null,
    client_ip: '127.0.0.1',
    started_at: 1764000000000,
    source: 'upstream',
    // Multi-byte characters so byte and character counts differ.
    payload: 'é'.repeat(Math.floor(padding / 2)),
  };
}

/** Lines of a file, each parsed; throws (failing the test) on a torn or interleaved line. */
export async function readLines(path: string): Promise<Record<string, any>[]> {
  const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return '';
    throw error;
  });
  if (text === '') return [];
  if (!text.endsWith('\n')) throw new Error(`${path} does not end with a newline`);
  return text.slice(0, -1).split('\n').map((line, i) => {
    try {
      return JSON.parse(line) as Record<string, any>;
    } catch {
      throw new Error(`${path} line ${i + 1} is not JSON (${line.length} chars, starts ${JSON.stringify(line.slice(0, 40))})`);
    }
  });
}

export const ids = (lines: Record<string, any>[]) => lines.map((line) => line.request.id as string);

/** Yield to the event loop so writes interleave with I/O completions. */
export const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

/** file-log's log phase only serializes and queues, so it returns nothing: the tests order it against flush and close. */
export function synchronous(result: void | Promise<void>): void {
  if (result !== undefined) throw new Error('file-log: the log phase returned a promise');
}
