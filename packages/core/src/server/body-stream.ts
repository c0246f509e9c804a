/**
 * The upstream response (a Node Readable) through the plugins' body transforms, as one Web stream: the
 * path when at least one plugin returned a TransformStream (only Transformers: direct-body.ts, no streams).
 * The Node stream is written straight into the first transform's writable side: no ReadableStream
 * around it and no pipeTo hop per chunk (both are costly in Node 20); further transforms are composed
 * with pipeThrough. Reads only as fast as the consumer pulls: the source is paused while the first
 * transform's writable side is full (one chunk), so a slow client never buffers the upstream response.
 */
import type { Readable } from 'node:stream';

type Transform = TransformStream<Uint8Array, Uint8Array>;

const ignore = () => {};

export function transformedBody(source: Readable, transforms: readonly [Transform, ...Transform[]]): ReadableStream<Uint8Array> {
  const [first, ...rest] = transforms;
  feed(source, first.writable);
  let stream = first.readable;
  for (const t of rest) stream = stream.pipeThrough(t);
  return stream;
}

function feed(source: Readable, sink: WritableStream<Uint8Array>): void {
  const writer = sink.getWriter();
  const resume = () => source.resume();
  source.on('data', (chunk: Buffer) => {
    // Rejections surface on the readable side (the consumer's read); here they only need catching.
    writer.write(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength)).catch(ignore);
    if ((writer.desiredSize ?? 0) <= 0) {
      source.pause();
      writer.ready.then(resume, ignore);
    }
  });
  source.once('end', () => void writer.close().catch(ignore));
  source.once('error', (err) => void writer.abort(err).catch(ignore));
  source.once('close', () => {
    if (!source.readableEnded) {
      const err = Object.assign(new Error('upstream closed the response early'), { code: 'ERR_STREAM_PREMATURE_CLOSE' });
      void writer.abort(err).catch(ignore);
    }
  });
  // The consumer gave up (client gone, transform failed): stop reading the upstream.
  writer.closed.catch(() => source.destroy());
}
