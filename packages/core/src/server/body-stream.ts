/**
 * A Web ReadableStream over a Node Readable (the upstream response) that reads only as fast as the
 * consumer pulls: one chunk queued at most. Node 20's Readable.toWeb queues up to highWaterMark *chunks*,
 * which would buffer a whole upstream response behind a slow client.
 */
import type { Readable } from 'node:stream';

export function webStreamOf(source: Readable): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        source.pause();
        source.on('data', (chunk: Buffer) => {
          controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
          if ((controller.desiredSize ?? 0) <= 0) source.pause();
        });
        source.once('end', () => controller.close());
        source.once('error', (err) => controller.error(err));
        source.once('close', () => {
          if (!source.readableEnded) {
            controller.error(Object.assign(new Error('upstream closed the response early'), { code: 'ERR_STREAM_PREMATURE_CLOSE' }));
          }
        });
      },
      pull() {
        source.resume();
      },
      cancel() {
        source.destroy();
      },
    },
    { highWaterMark: 1 },
  );
}
