/**
 * responseBody plugins that return a Transformer: core drives them directly on the upstream's chunks
 * (no web streams) with the TransformStream semantics; mixed with a TransformStream they use the web path.
 */
import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { plugin } from '../support/config.js';
import { deferred, send, startUpstream } from '../support/http.js';
import { pluginRunner, type Cleanups } from '../support/run.js';
import { bodyPlugin, bytes, dec, tagger, tick, upstreamOf } from '../support/body-transform.js';

const cleanups: Cleanups = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});
const run = pluginRunner(cleanups);

describe('responseBody Transformers, driven directly', () => {
  it('runs a single Transformer that may rewrite the head before its first chunk', async () => {
    const up = await upstreamOf(cleanups, ['ab', 'cd']);
    const seen: { web?: boolean } = {};
    const shaper = bodyPlugin('shaper', 10, (response) => {
      let first = true;
      const tag = tagger('T', seen);
      return {
        transform(chunk, controller) {
          if (first) {
            first = false;
            response.status = 203;
            response.headers['x-shaped'] = 'yes';
          }
          tag.transform!(chunk, controller);
        },
      };
    });
    const gw = await run([shaper], () => [plugin('shaper')], up.port);
    const reply = await send(gw.port);
    expect(reply.status).toBe(203);
    expect(reply.headers['x-shaped']).toBe('yes');
    expect(reply.headers['content-length']).toBeUndefined();
    expect(reply.body).toBe('T(ab)T(cd)');
    expect(seen.web).toBe(false);
  });

  it('keeps a content-length a Transformer sets before answering with one body (answerJson style)', async () => {
    const up = await upstreamOf(cleanups, ['{"message":"throttled"}']);
    const answer = bodyPlugin('answer', 10, (response) => {
      const parts: Uint8Array[] = [];
      return {
        transform: (chunk) => void parts.push(chunk),
        flush(controller) {
          const body = bytes(JSON.stringify({ type: 'error', upstream: JSON.parse(dec.decode(Buffer.concat(parts))) }));
          response.status = 429;
          response.headers['content-type'] = 'application/json';
          response.headers['content-length'] = String(body.byteLength);
          controller.enqueue(body);
        },
      };
    });
    const gw = await run([answer], () => [plugin('answer')], up.port);
    const reply = await send(gw.port);
    expect(reply.status).toBe(429);
    expect(reply.headers['content-length']).toBe(String(Buffer.byteLength(reply.body)));
    expect(reply.headers['transfer-encoding']).toBeUndefined();
    expect(JSON.parse(reply.body)).toEqual({ type: 'error', upstream: { message: 'throttled' } });
  });

  it('chains two Transformers in execution order, each chunk through both', async () => {
    const up = await upstreamOf(cleanups, ['x', 'y', 'z']);
    const seen: { web?: boolean } = {};
    const gw = await run(
      [bodyPlugin('first', 20, () => tagger('A')), bodyPlugin('second', 10, () => tagger('B', seen))],
      () => [plugin('first'), plugin('second')],
      up.port,
    );
    const reply = await send(gw.port);
    expect(reply.body).toBe('B(A(x))B(A(y))B(A(z))');
    expect(seen.web).toBe(false);
  });

  it('keeps the order when transforms settle asynchronously, out of step with each other', async () => {
    const parts = ['1', '2', '3', '4', '5', '6'];
    const up = await upstreamOf(cleanups, parts);
    // Stage one answers each chunk three times, the last later (later chunks faster); stage two delays
    // every other chunk, so stage one's next outputs arrive while it is still busy.
    const slow = bodyPlugin('slow', 20, () => ({
      async transform(chunk, controller) {
        const n = Number(dec.decode(chunk));
        controller.enqueue(bytes(`${n}a`));
        controller.enqueue(bytes(`${n}b`));
        await tick(7 - n);
        controller.enqueue(bytes(`${n}c`));
      },
    }));
    let calls = 0;
    const uneven = bodyPlugin('uneven', 10, () => ({
      transform(chunk, controller) {
        const out = () => controller.enqueue(bytes(`[${dec.decode(chunk)}]`));
        if (++calls % 2 === 0) return tick(3).then(out);
        out();
      },
    }));
    const gw = await run([slow, uneven], () => [plugin('slow'), plugin('uneven')], up.port);
    const reply = await send(gw.port);
    expect(reply.body).toBe(parts.map((p) => `[${p}a][${p}b][${p}c]`).join(''));
  });

  it('awaits an async start before feeding, and flushes every stage in order at the end', async () => {
    const up = await upstreamOf(cleanups, ['m']);
    const order: string[] = [];
    const first = bodyPlugin('first', 20, () => ({
      async start(controller) {
        await tick(5);
        order.push('start first');
        controller.enqueue(bytes('<'));
      },
      transform(chunk, controller) {
        order.push('transform first');
        controller.enqueue(chunk);
      },
      async flush(controller) {
        await tick(2);
        controller.enqueue(bytes('>'));
      },
    }));
    const second = bodyPlugin('second', 10, () => ({
      start: () => void order.push('start second'),
      transform: tagger('B').transform,
      flush: (controller) => controller.enqueue(bytes('!')),
    }));
    const gw = await run([first, second], () => [plugin('first'), plugin('second')], up.port);
    const reply = await send(gw.port);
    expect(reply.body).toBe('B(<)B(m)B(>)!');
    expect(order).toEqual(['start second', 'start first', 'transform first']);
  });

  it('sends what a transform enqueued before the transform has finished', async () => {
    const up = await upstreamOf(cleanups, ['one chunk, two events']);
    const firstArrived = deferred();
    const early = bodyPlugin('early', 10, () => ({
      async transform(_chunk, controller) {
        controller.enqueue(bytes('first;'));
        await firstArrived.promise; // the client must see it while this transform is still running
        controller.enqueue(bytes('second;'));
      },
    }));
    const gw = await run([early], () => [plugin('early')], up.port);
    const body = await new Promise<string>((resolve, reject) => {
      http
        .get({ host: '127.0.0.1', port: gw.port, path: '/', agent: false }, (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => {
            text += c;
            if (text.includes('first;')) firstArrived.resolve();
          });
          res.on('end', () => resolve(text));
        })
        .on('error', reject);
    });
    expect(body).toBe('first;second;');
  });

  it('treats a missing transform as identity', async () => {
    const up = await upstreamOf(cleanups, ['plain ', 'text']);
    const gw = await run([bodyPlugin('trailer', 10, () => ({ flush: (c) => c.enqueue(bytes('.')) }))], () => [plugin('trailer')], up.port);
    expect((await send(gw.port)).body).toBe('plain text.');
  });


  it('delivers a large body in order to a slow client, reading the upstream only as the client takes it', async () => {
    const chunk = 64 * 1024;
    const total = 32 * 1024 * 1024; // well past the loopback socket buffers, so the client's pace matters
    const expected = Buffer.alloc(total);
    for (let i = 0; i < total; i += 4) expected.writeUInt32BE(i / 4, i);
    const up = await startUpstream((_q, s) => {
      s.writeHead(200, { 'content-type': 'application/octet-stream' });
      let at = 0;
      const more = () => {
        while (at < total) {
          const ok = s.write(expected.subarray(at, at + chunk));
          at += chunk;
          if (!ok) return void s.once('drain', more);
        }
        s.end();
      };
      more();
    });
    cleanups.push(up.close);
    const clientFull = deferred();
    const sizesAtEntry = new Set<number | null>();
    // Stage one splits every chunk in two; stage two answers every 16th chunk asynchronously.
    const split = bodyPlugin('split', 20, () => ({
      transform(c, controller) {
        sizesAtEntry.add(controller.desiredSize);
        const mid = c.byteLength >> 1;
        controller.enqueue(c.subarray(0, mid));
        controller.enqueue(c.subarray(mid));
      },
    }));
    let n = 0;
    const hold = bodyPlugin('hold', 10, () => ({
      transform(c, controller) {
        const out = () => {
          controller.enqueue(c);
          if (controller.desiredSize === 0) clientFull.resolve();
        };
        if (++n % 16 !== 0) return out();
        return Promise.resolve().then(out);
      },
    }));
    const gw = await run([split, hold], () => [plugin('split'), plugin('hold')], up.port);
    const received = await new Promise<Buffer>((resolve, reject) => {
      http
        .get({ host: '127.0.0.1', port: gw.port, path: '/', agent: false }, (res) => {
          const parts: Buffer[] = [];
          // Read nothing until the gateway found the client's buffer full (and a little longer, for the
          // upstream to push on if it wasn't paused), then slowly.
          res.pause();
          void clientFull.promise.then(() => setTimeout(() => res.resume(), 20));
          res.on('data', (c: Buffer) => {
            parts.push(c);
            res.pause();
            setImmediate(() => res.resume());
          });
          res.on('end', () => resolve(Buffer.concat(parts)));
          res.on('error', reject);
        })
        .on('error', reject);
    });
    expect(received.length).toBe(total);
    expect(received.equals(expected)).toBe(true);
    // The upstream is paused while the client is full: no upstream chunk is transformed until it drained.
    expect([...sizesAtEntry]).toEqual([1]);
  });
});

describe('responseBody: a Transformer mixed with a TransformStream', () => {
  it.each([
    ['stream first', true],
    ['transformer first', false],
  ])('wraps the Transformer and keeps the order (%s)', async (_name, streamFirst) => {
    const up = await upstreamOf(cleanups, ['p', 'q']);
    const seen: { web?: boolean } = {};
    const asStream = () => new TransformStream(tagger('S'));
    const asTransformer = () => tagger('R', seen);
    const gw = await run(
      [bodyPlugin('one', 20, streamFirst ? asStream : asTransformer), bodyPlugin('two', 10, streamFirst ? asTransformer : asStream)],
      () => [plugin('one'), plugin('two')],
      up.port,
    );
    const reply = await send(gw.port);
    expect(reply.body).toBe(streamFirst ? 'R(S(p))R(S(q))' : 'S(R(p))S(R(q))');
    expect(seen.web).toBe(true);
  });
});
