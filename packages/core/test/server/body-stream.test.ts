import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { transformedBody } from '../../src/server/body-stream.js';

const identity = () => new TransformStream<Uint8Array, Uint8Array>();
const upper = () =>
  new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      controller.enqueue(new TextEncoder().encode(new TextDecoder().decode(chunk).toUpperCase()));
    },
  });
const text = (v: Uint8Array | undefined) => new TextDecoder().decode(v);

describe('transformedBody', () => {
  it('reads from the Node stream only as the consumer pulls', async () => {
    const chunks = ['a', 'b', 'c', 'd', 'e', 'f'];
    const source = new Readable({
      read() {
        this.push(chunks.shift() ?? null);
      },
    });
    let emitted = 0;
    source.on('data', () => emitted++);
    const reader = transformedBody(source, [identity()]).getReader();
    const first = await reader.read();
    expect(text(first.value)).toBe('a');
    await new Promise((r) => setImmediate(r));
    expect(emitted).toBeLessThanOrEqual(3); // one delivered, at most one queued, one in flight
    let rest = '';
    for (let r = await reader.read(); !r.done; r = await reader.read()) rest += text(r.value);
    expect(rest).toBe('bcdef');
  });

  it('runs every transform in order', async () => {
    const reader = transformedBody(Readable.from([Buffer.from('ab'), Buffer.from('c')]), [upper(), identity()]).getReader();
    let out = '';
    for (let r = await reader.read(); !r.done; r = await reader.read()) out += text(r.value);
    expect(out).toBe('ABC');
  });

  it('errors when the source closes before its end', async () => {
    const source = new Readable({ read() {} });
    const reader = transformedBody(source, [identity()]).getReader();
    source.push('x');
    await reader.read();
    source.destroy();
    await expect(reader.read()).rejects.toMatchObject({ code: 'ERR_STREAM_PREMATURE_CLOSE' });
  });

  it('passes a source error on to the reader', async () => {
    const source = new Readable({ read() {} });
    const reader = transformedBody(source, [identity(), identity()]).getReader();
    source.destroy(Object.assign(new Error('reset'), { code: 'ECONNRESET' }));
    await expect(reader.read()).rejects.toMatchObject({ code: 'ECONNRESET' });
  });

  it('stops reading the source when the consumer cancels', async () => {
    const source = new Readable({ read() {} });
    const reader = transformedBody(source, [identity()]).getReader();
    source.push('x');
    await reader.read();
    await reader.cancel();
    await new Promise((r) => setImmediate(r));
    expect(source.destroyed).toBe(true);
  });
});
