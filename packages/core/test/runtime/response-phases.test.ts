import { afterEach, describe, expect, it } from 'vitest';
import { definePlugin, GatewayError } from '@gw/plugin-api';
import { plugin } from '../support/config.js';
import { send, startUpstream } from '../support/http.js';
import { pluginRunner, type Cleanups } from '../support/run.js';

const cleanups: Cleanups = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

const run = pluginRunner(cleanups);

describe('response phases', () => {
  it('runs responseHeaders and a responseBody transform that changes the status before its first chunk', async () => {
    const up = await startUpstream((_q, s) => {
      s.writeHead(200, { 'content-type': 'text/plain', 'content-length': '5' });
      s.end('ERROR');
    });
    cleanups.push(up.close);
    const shaper = definePlugin({
      name: 'shaper',
      version: '1.0.0',
      priority: 10,
      configSchema: {},
      responseHeaders({ response }) {
        response.headers['x-seen-status'] = String(response.status);
      },
      responseBody({ response }) {
        return new TransformStream<Uint8Array, Uint8Array>({
          transform(chunk, controller) {
            const text = new TextDecoder().decode(chunk);
            if (text.startsWith('ERROR')) {
              response.status = 502;
              response.headers['content-type'] = 'application/json';
            }
            controller.enqueue(new TextEncoder().encode(JSON.stringify({ upstream: text })));
          },
        });
      },
    });
    const upper = definePlugin({
      name: 'upper',
      version: '1.0.0',
      priority: 5,
      configSchema: {},
      responseBody: () =>
        new TransformStream<Uint8Array, Uint8Array>({
          transform(chunk, controller) {
            controller.enqueue(new TextEncoder().encode(new TextDecoder().decode(chunk).toUpperCase()));
          },
        }),
    });
    const gw = await run([shaper, upper], () => [plugin('shaper'), plugin('upper')], up.port);
    const reply = await send(gw.port, { path: '/' });
    expect(reply.status).toBe(502);
    expect(reply.headers['content-type']).toBe('application/json');
    expect(reply.headers['x-seen-status']).toBe('200');
    expect(reply.headers['content-length']).toBeUndefined();
    expect(reply.body).toBe('{"UPSTREAM":"ERROR"}');
  });

  it('delivers every chunk, in order, when a transform turns one upstream chunk into many (small and past the write buffer)', async () => {
    const up = await startUpstream((_q, s) => {
      s.write('a');
      setTimeout(() => s.end('b'), 10);
    });
    cleanups.push(up.close);
    const fanout = definePlugin({
      name: 'fanout',
      version: '1.0.0',
      priority: 10,
      configSchema: {},
      responseBody: () =>
        new TransformStream<Uint8Array, Uint8Array>({
          transform(chunk, controller) {
            const letter = new TextDecoder().decode(chunk);
            for (let i = 0; i < 200; i++) controller.enqueue(new TextEncoder().encode(`${letter}${i};`));
            controller.enqueue(new Uint8Array(0));
            controller.enqueue(new TextEncoder().encode(letter.repeat(64 * 1024)));
          },
        }),
    });
    const gw = await run([fanout], () => [plugin('fanout')], up.port);
    const reply = await send(gw.port, { path: '/' });
    const expected = ['a', 'b'].map((l) => Array.from({ length: 200 }, (_, i) => `${l}${i};`).join('') + l.repeat(64 * 1024)).join('');
    expect(reply.status).toBe(200);
    expect(reply.body.length).toBe(expected.length);
    expect(reply.body).toBe(expected);
  });

  it('renders a GatewayError thrown by a transform before any output', async () => {
    const up = await startUpstream((_q, s) => s.end('bad frame'));
    cleanups.push(up.close);
    const strict = definePlugin({
      name: 'strict',
      version: '1.0.0',
      priority: 10,
      configSchema: {},
      responseBody: ({ ctx }) => {
        ctx.setErrorFormat('anthropic');
        return new TransformStream<Uint8Array, Uint8Array>({
          transform() {
            throw new GatewayError('GW_ERR_AI_STREAM_CORRUPT', { params: { detail: 'crc' } });
          },
        });
      },
    });
    const gw = await run([strict], () => [plugin('strict')], up.port);
    const reply = await send(gw.port, { path: '/' });
    expect(reply.status).toBe(502);
    expect(JSON.parse(reply.body)).toEqual({ type: 'error', error: { type: 'api_error', message: 'upstream stream is corrupt: crc' } });
  });

  it('sends the head when a transform ends without output', async () => {
    const up = await startUpstream((_q, s) => s.end('swallowed'));
    cleanups.push(up.close);
    const sink = definePlugin({
      name: 'sink',
      version: '1.0.0',
      priority: 10,
      configSchema: {},
      responseBody: ({ response }) => {
        response.status = 204;
        return new TransformStream<Uint8Array, Uint8Array>({ transform() {} });
      },
    });
    const gw = await run([sink], () => [plugin('sink')], up.port);
    const reply = await send(gw.port, { path: '/' });
    expect(reply.status).toBe(204);
    expect(reply.body).toBe('');
  });
});
