/** Plugins, upstreams and clients for the responseBody transform tests (server/body-transform-*.test.ts). */
import http from 'node:http';
import { definePlugin, type ResponseHead } from '@gw/plugin-api';
import { startUpstream } from './http.js';
import type { Cleanups } from './run.js';

const enc = new TextEncoder();
export const dec = new TextDecoder();
export const bytes = (s: string) => enc.encode(s);
export const tick = (ms = 1) => new Promise((r) => setTimeout(r, ms));

export type Body = Transformer<Uint8Array, Uint8Array> | TransformStream<Uint8Array, Uint8Array>;

/** A plugin whose responseBody returns what `make` builds. */
export function bodyPlugin(name: string, priority: number, make: (response: ResponseHead) => Body) {
  return definePlugin({ name, version: '1.0.0', priority, configSchema: {}, responseBody: ({ response }) => make(response) });
}

/** Wraps every chunk in `tag(...)`; notes whether it was handed a real web controller. */
export function tagger(tag: string, seen: { web?: boolean } = {}): Transformer<Uint8Array, Uint8Array> {
  return {
    transform(chunk, controller) {
      seen.web = controller instanceof TransformStreamDefaultController;
      controller.enqueue(bytes(`${tag}(${dec.decode(chunk)})`));
    },
  };
}

export { logCapture } from './log-capture.js';

/** An upstream that writes `parts` one by one (each after the previous left), then ends unless `open`. */
export async function upstreamOf(cleanups: Cleanups, parts: string[], opts: { open?: boolean; closed?: () => void } = {}) {
  const up = await startUpstream((_q, s) => {
    s.writeHead(200, opts.open ? { 'content-type': 'text/plain' } : { 'content-type': 'text/plain', 'content-length': String(parts.join('').length) });
    s.on('close', () => opts.closed?.());
    const next = (i: number) => {
      if (i === parts.length) {
        if (!opts.open) s.end();
        return;
      }
      s.write(parts[i], () => setTimeout(() => next(i + 1), 2));
    };
    next(0);
  });
  cleanups.push(up.close);
  return up;
}

export interface Received {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  complete: boolean;
}

/** GET that also reports a response cut short (connection closed before its end). */
export function fetchPartial(port: number): Promise<Received> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/', agent: false }, (res) => {
      let body = '';
      let ended = false;
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => (ended = true));
      res.on('error', () => {});
      res.on('close', () => resolve({ status: res.statusCode!, headers: res.headers, body, complete: ended && res.complete }));
    });
    req.on('error', reject);
  });
}
