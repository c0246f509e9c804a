/** A raw TCP client for tests of what Node's HTTP client would never send (or would hide). */
import net from 'node:net';

export interface RawReply {
  /** Everything the server sent, as latin1 text. */
  text: string;
  /** The status code of the first response, or 0 when none came. */
  status: number;
  /** The connection was closed by the server (FIN or reset) before `waitMs` ran out. */
  closedByServer: boolean;
  /** A socket error code (ECONNRESET, EPIPE), if one happened. */
  error: string | undefined;
}

/**
 * Writes `chunks` one after another (each once the previous one was flushed), then waits until the server
 * closes the connection or `waitMs` passes, and reports what came back.
 */
export function rawRequest(port: number, chunks: Array<string | Buffer>, opts: { waitMs?: number } = {}): Promise<RawReply> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    const received: Buffer[] = [];
    let error: string | undefined;
    let settled = false;
    const finish = (closedByServer: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      const text = Buffer.concat(received).toString('latin1');
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(text);
      resolve({ text, status: status ? Number(status[1]) : 0, closedByServer, error });
    };
    const timer = setTimeout(() => finish(false), opts.waitMs ?? 5_000);
    socket.on('data', (d: Buffer) => received.push(d));
    socket.on('error', (e: NodeJS.ErrnoException) => (error ??= e.code ?? e.message));
    socket.on('close', () => finish(true));
    const write = (i: number) => {
      if (i >= chunks.length || socket.destroyed) return;
      socket.write(chunks[i], () => write(i + 1));
    };
    socket.on('connect', () => write(0));
  });
}

/** The head of an HTTP response (status line and header lines) as a lower-cased name → value map. */
export function headersOf(text: string): Record<string, string> {
  const head = text.split('\r\n\r\n', 1)[0] ?? '';
  const out: Record<string, string> = {};
  for (const line of head.split('\r\n').slice(1)) {
    const colon = line.indexOf(':');
    if (colon > 0) out[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return out;
}

/** The body of the first response (after the blank line). */
export function bodyOf(text: string): string {
  const at = text.indexOf('\r\n\r\n');
  return at === -1 ? '' : text.slice(at + 4);
}
