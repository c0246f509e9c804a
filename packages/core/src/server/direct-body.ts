/**
 * The plugins' body Transformers driven directly on the upstream Node stream, written to the client
 * response: no TransformStream (costly to build in Node 20) and no promise hop per chunk. Each stage gets
 * a controller shim with the Web Streams semantics plugins rely on (docs/plugin-authoring.md):
 * `enqueue` hands the chunk to the next stage at once (the last stage writes it to the client; the first
 * write is flushed at once, so an early first event reaches the socket before the rest of its chunk is
 * processed), `error` fails the
 * body like a throw, `terminate` ends it normally and stops reading the upstream (an unfinished upstream
 * response is destroyed, and its socket with it: the connection never goes back to the pool mid-body).
 * A stage whose hook returns a promise holds its later input in order until it settles; the upstream is
 * paused meanwhile, and while the client's buffer is full.
 */
import type { Readable } from 'node:stream';
import type { ServerResponse } from 'node:http';

export type BodyTransformer = Transformer<Uint8Array, Uint8Array>;
export type BodyTransform = TransformStream<Uint8Array, Uint8Array> | BodyTransformer;

export function isTransformStream(t: BodyTransform): t is TransformStream<Uint8Array, Uint8Array> {
  return t instanceof TransformStream || ('readable' in t && 'writable' in t);
}

interface Stage {
  readonly transformer: BodyTransformer;
  readonly controller: TransformStreamDefaultController<Uint8Array>;
  /** Settles (never rejects) when this stage's pending async work is done; undefined when idle. */
  tail: Promise<void> | undefined;
}

/** What a stage's controller asks of the drive, by stage index. */
interface StageOps {
  desiredSize(i: number): number;
  enqueue(i: number, chunk: Uint8Array): void;
  error(i: number, reason: unknown): void;
  terminate(i: number): void;
}

/**
 * A class, not an object literal: a literal with a getter gets a new accessor pair per object, and V8 makes
 * those in the old generation, where (dead or not) they keep the getter's closure, and through it the
 * whole request, alive across young-generation GCs until a full GC. A transformed response promoted ~11 KB
 * a request that way; with the getter on a prototype it promotes none.
 */
class StageController implements TransformStreamDefaultController<Uint8Array> {
  readonly #i: number;
  readonly #ops: StageOps;
  constructor(i: number, ops: StageOps) {
    this.#i = i;
    this.#ops = ops;
  }
  get desiredSize(): number {
    return this.#ops.desiredSize(this.#i);
  }
  enqueue(chunk?: Uint8Array): void {
    this.#ops.enqueue(this.#i, chunk!);
  }
  error(reason?: unknown): void {
    this.#ops.error(this.#i, reason);
  }
  terminate(): void {
    this.#ops.terminate(this.#i);
  }
}

const ignore = () => {};
const isThenable = (v: unknown): v is PromiseLike<unknown> =>
  v !== null && (typeof v === 'object' || typeof v === 'function') && typeof (v as PromiseLike<unknown>).then === 'function';

/**
 * Resolves once every stage flushed (or one terminated): the caller then ends the response. Rejects with
 * the first failure: a stage's throw, rejection or `error(reason)`, an upstream error or early close, or
 * 'client gone'. `commit` is called before the first chunk reaches `res` (and is the caller's to call at
 * the end when nothing was enqueued).
 */
export function driveTransformers(
  source: Readable,
  transformers: readonly BodyTransformer[],
  res: ServerResponse,
  commit: () => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const n = transformers.length;
    let settled = false;
    /** Stages up to this index are closed (terminated or flushed): their enqueues throw, their failures are moot. */
    let cut = -1;
    let ending = false;
    let draining = false;
    let stopped = false;
    let waiter: (() => void) | undefined;

    const settle = (failed: boolean, err?: unknown) => {
      if (settled) return;
      settled = true;
      res.off('drain', onDrain);
      res.off('close', onClientClose);
      if (failed) reject(err);
      else resolve();
    };
    const stageFailed = (i: number, err: unknown) => {
      if (i > cut) settle(true, err);
    };
    const idle = () => {
      for (let j = cut + 1; j < n; j++) if (stages[j].tail !== undefined) return false;
      return true;
    };
    const whenIdle = () => (idle() ? undefined : new Promise<void>((r) => (waiter = r)));
    const wake = () => {
      if (settled) return;
      if (!idle()) return;
      if (waiter !== undefined) {
        const w = waiter;
        waiter = undefined;
        w();
      } else if (!ending && !draining) source.resume();
    };
    const onDrain = () => {
      draining = false;
      wake();
    };
    const onClientClose = () => settle(true, new Error('client gone'));
    const stopSource = () => {
      stopped = true;
      source.destroy();
    };

    let wrote = false;
    const output = (chunk: Uint8Array) => {
      commit();
      if (res.destroyed) return settle(true, new Error('client gone'));
      if (chunk.byteLength === 0) return;
      if (!res.write(chunk) && !draining) {
        draining = true;
        res.once('drain', onDrain);
      }
      if (!wrote) {
        wrote = true;
        // Node corks the socket on every write until the next tick; the head and the first bytes must not
        // wait for the rest of the chunk's transform (time to first byte). Its own later uncork is a no-op.
        if (res.socket?.writableCorked) res.socket.uncork();
      }
    };

    /** Runs one hook of stage i; a throw or a rejection fails the body. A promise (never rejecting) when async. */
    const run = (i: number, hook: 'start' | 'transform' | 'flush', chunk?: Uint8Array): Promise<void> | undefined => {
      if (settled || i <= cut) return undefined;
      const { transformer: t, controller } = stages[i];
      let result: unknown;
      try {
        if (hook === 'transform') {
          if (t.transform === undefined) controller.enqueue(chunk);
          else result = t.transform(chunk!, controller);
        } else {
          result = t[hook]?.(controller);
        }
      } catch (err) {
        stageFailed(i, err);
        return undefined;
      }
      if (!isThenable(result)) return undefined;
      return Promise.resolve(result).then(ignore, (err: unknown) => stageFailed(i, err));
    };
    const watch = (s: Stage, work: Promise<void>) => {
      const tail: Promise<void> = work.then(() => {
        if (s.tail !== tail) return;
        s.tail = undefined;
        wake();
      });
      s.tail = tail;
    };
    const push = (i: number, chunk: Uint8Array) => {
      if (i === n) return output(chunk);
      const s = stages[i];
      if (s.tail === undefined) {
        const pending = run(i, 'transform', chunk);
        if (pending !== undefined) watch(s, pending);
      } else {
        watch(s, s.tail.then(() => run(i, 'transform', chunk)));
      }
    };

    /** After the upstream's end or a stage's terminate: flush the open stages in order, each once the ones before it are done. */
    const finish = async () => {
      if (ending) return;
      ending = true;
      for (let i = cut + 1; i < n; i++) {
        await whenIdle();
        if (settled) return;
        if (i <= cut) continue;
        const pending = run(i, 'flush');
        if (pending !== undefined) await pending;
        if (settled) return;
        cut = Math.max(cut, i);
      }
      await whenIdle();
      settle(false);
    };

    const ops: StageOps = {
      desiredSize: (i) => (i <= cut || res.writableNeedDrain ? 0 : 1),
      enqueue(i, chunk) {
        if (settled || i <= cut) throw new TypeError('the response body is closed');
        push(i + 1, chunk);
      },
      error: (i, reason) => stageFailed(i, reason),
      terminate(i) {
        if (settled || i <= cut) return;
        cut = i;
        if (!stopped && !source.readableEnded) stopSource();
        void finish();
        wake();
      },
    };
    const stages: Stage[] = transformers.map((transformer, i) => ({ transformer, controller: new StageController(i, ops), tail: undefined }));

    res.on('close', onClientClose);
    source.pause();
    source.on('data', (chunk: Buffer) => {
      if (settled || stopped) return;
      // A plain Uint8Array like the web path hands out: Buffer's `slice` would share memory.
      push(0, new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
      if (draining || !idle()) source.pause();
    });
    source.once('end', () => void finish());
    source.on('error', (err) => {
      if (!stopped) settle(true, err);
    });
    source.once('close', () => {
      if (stopped || source.readableEnded) return;
      settle(true, Object.assign(new Error('upstream closed the response early'), { code: 'ERR_STREAM_PREMATURE_CLOSE' }));
    });

    // Last stage first, so whatever a `start` enqueues meets a started stage (as with constructed streams).
    for (let i = n - 1; i >= 0; i--) {
      const pending = run(i, 'start');
      if (pending !== undefined) watch(stages[i], pending);
    }
    wake();
  });
}
