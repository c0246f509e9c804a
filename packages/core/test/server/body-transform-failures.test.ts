/**
 * Directly driven Transformers that stop early: terminate, a failing transform (before and after the
 * head), a broken upstream and a client that leaves, each as the web path handles them.
 */
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { definePlugin, GatewayError } from '@gw/plugin-api';
import { plugin } from '../support/config.js';
import { deferred, send, startUpstream } from '../support/http.js';
import { pluginRunner, type Cleanups } from '../support/run.js';
import { bodyPlugin, bytes, dec, fetchPartial, logCapture, tagger, tick, upstreamOf } from '../support/body-transform.js';

const cleanups: Cleanups = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});
const run = pluginRunner(cleanups);

describe('responseBody Transformers, driven directly: terminate and failures', () => {
  it('ends the response normally on terminate, stops reading the upstream, and still flushes later stages', async () => {
    const upstreamClosed = deferred();
    const up = await upstreamOf(cleanups, ['a', 'b', 'STOP', 'c'], { open: true, closed: () => upstreamClosed.resolve() });
    const capture = logCapture();
    const stopper = bodyPlugin('stopper', 20, () => ({
      transform(chunk, controller) {
        const text = dec.decode(chunk);
        if (text === 'STOP') return controller.terminate();
        controller.enqueue(chunk);
      },
      flush: (controller) => controller.enqueue(bytes('not flushed: terminated')),
    }));
    const trailer = bodyPlugin('trailer', 10, () => ({ flush: (controller) => controller.enqueue(bytes('|end')) }));
    const gw = await run([stopper, trailer, capture.def], () => [plugin('stopper'), plugin('trailer'), plugin('capture')], up.port);
    const reply = await fetchPartial(gw.port);
    expect(reply).toMatchObject({ status: 200, body: 'ab|end', complete: true });
    await upstreamClosed.promise;
    const record = await capture.next();
    expect(record.response.status).toBe(200);
    expect(record.client_aborted).toBeUndefined();
    // The client's response ended normally: gw stopping the upstream early is not a cut response.
    expect(record.cut).toBeUndefined();
  });

  it.each([
    ['throws a GatewayError', () => { throw new GatewayError('GW_ERR_AI_STREAM_CORRUPT', { params: { detail: 'crc' } }); }, 502],
    ['calls controller.error', (c: TransformStreamDefaultController<Uint8Array>) => c.error(new Error('bad frame')), 500],
    ['calls controller.error without a reason', (c: TransformStreamDefaultController<Uint8Array>) => c.error(), 500],
    ['rejects', async () => { await tick(); throw new Error('late bad frame'); }, 500],
  ])('answers gw’s error response when a transform %s before any output', async (_what, fail, status) => {
    const upstreamClosed = deferred();
    const up = await upstreamOf(cleanups, ['frame', 'more'], { open: true, closed: () => upstreamClosed.resolve() });
    const capture = logCapture();
    const strict = definePlugin({
      name: 'strict',
      version: '1.0.0',
      priority: 10,
      configSchema: {},
      responseBody: ({ ctx }) => {
        ctx.setErrorFormat('anthropic');
        return { transform: (_chunk, controller) => fail(controller) } satisfies Transformer<Uint8Array, Uint8Array>;
      },
    });
    const gw = await run([strict, capture.def], () => [plugin('strict'), plugin('capture')], up.port);
    const reply = await send(gw.port);
    expect(reply.status).toBe(status);
    const body = JSON.parse(reply.body) as { type: string; error: { message: string } };
    expect(body.type).toBe('error');
    if (status === 502) expect(body.error.message).toBe('upstream stream is corrupt: crc');
    else expect(gw.logger.lines.some((l) => l.includes('response body transform failed'))).toBe(true);
    await upstreamClosed.promise;
    const record = await capture.next();
    expect(record.response.status).toBe(status);
    expect(record.source).toBe('kong');
  });

  it('cuts the connection when a transform fails after the head was sent, and still logs', async () => {
    const upstreamClosed = deferred();
    const up = await upstreamOf(cleanups, ['ok', 'boom', 'never'], { open: true, closed: () => upstreamClosed.resolve() });
    const capture = logCapture();
    const fragile = bodyPlugin('fragile', 10, () => ({
      transform(chunk, controller) {
        if (dec.decode(chunk) === 'boom') throw new Error('cannot parse');
        controller.enqueue(chunk);
      },
    }));
    const gw = await run([fragile, capture.def], () => [plugin('fragile'), plugin('capture')], up.port);
    const reply = await fetchPartial(gw.port);
    expect(reply.status).toBe(200);
    expect(reply.body).toBe('ok');
    expect(reply.complete).toBe(false);
    await upstreamClosed.promise;
    const record = await capture.next();
    expect(record.response.status).toBe(200);
    expect(record.client_aborted).toBeUndefined();
    expect(record.cut).toMatchObject({ by: 'gateway', reason: 'plugin-failed' });
    expect(record.cut!.bytes).toBeGreaterThan(0);
  });

  it('answers 502 when the upstream breaks before any output, and cuts the response when it breaks after', async () => {
    const breaking = await startUpstream((req, s) => {
      s.writeHead(200, { 'content-length': '100' });
      s.write('0123456789', () => setTimeout(() => req.socket.destroy(), 5));
    });
    cleanups.push(breaking.close);
    const buffering = bodyPlugin('buffering', 10, () => ({ transform() {}, flush: (c) => c.enqueue(bytes('all')) }));
    const gw1 = await run([buffering], () => [plugin('buffering')], breaking.port);
    const before = await send(gw1.port);
    expect(before.status).toBe(502);
    expect(JSON.parse(before.body)).toEqual({ message: 'An invalid response was received from the upstream server' });

    const capture = logCapture();
    const gw2 = await run([bodyPlugin('tag', 10, () => tagger('T')), capture.def], () => [plugin('tag'), plugin('capture')], breaking.port);
    const after = await fetchPartial(gw2.port);
    expect(after).toMatchObject({ status: 200, body: 'T(0123456789)', complete: false });
    const record = await capture.next();
    expect(record.cut).toMatchObject({ by: 'upstream', reason: 'closed' });
  });

  it('stops the upstream and logs client_aborted when the client leaves mid-body', async () => {
    const upstreamClosed = deferred();
    const up = await upstreamOf(cleanups, ['first', 'second', 'third'], { open: true, closed: () => upstreamClosed.resolve() });
    const capture = logCapture();
    const gw = await run([bodyPlugin('tag', 10, () => tagger('T')), capture.def], () => [plugin('tag'), plugin('capture')], up.port);
    const client = net.connect(gw.port, '127.0.0.1');
    client.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    await new Promise<void>((r) => client.once('data', () => r()));
    client.destroy();
    await upstreamClosed.promise;
    const record = await capture.next();
    expect(record.client_aborted).toBe(true);
    expect(record.response.status).toBe(200);
    expect(record.cut).toMatchObject({ by: 'client', reason: 'disconnected' });
  });
});
