/**
 * The primary's workers (`gw start --workers N`): forks them, tells each what to serve, replaces one that
 * dies, and is what the primary's lifecycle controller changes (a LifecycleTarget): `prepare` stages the
 * same texts on every worker and succeeds only if every one staged the same configuration hash; then
 * `activate` commits on all of them, or `discard` drops it on all, and no worker changed.
 *
 * One thing at a time: a stage holds the set until it is committed or discarded, and a replacement
 * starts only between two, so a new worker always starts with the configuration its siblings serve.
 */
import cluster, { type Worker } from 'node:cluster';
import { createSecureContext } from 'node:tls';
import type { Logger } from '@gw/plugin-api';
import type { GatewayConfig } from '../config/model.js';
import { configurationHash } from '../lifecycle/config-hash.js';
import type { LifecycleTarget, ResolvedSource } from '../lifecycle/controller.js';
import { createSerial } from '../lifecycle/serial.js';
import type { PreparedRuntime } from '../server/gateway.js';
import type { StatusSnapshot } from '../status/status-app.js';
import { TIMEOUTS, type Address, type ForwardedResponse, type StageReply, type WorkerInit, type WorkerReady } from './protocol.js';
import { createRpc, type Rpc } from './rpc.js';

export interface WorkerSetOptions {
  count: number;
  logger: Logger;
  /** What the workers serve at start: the texts the primary loaded. */
  source: ResolvedSource;
  hash: string;
  nodeId: string;
  port: number;
  tls?: { port: number; pair: { cert: Buffer; key: Buffer } };
}

interface Slot {
  /** 1…N; a replacement keeps the number of the worker it replaces. */
  readonly id: number;
  worker: Worker;
  rpc: Rpc;
  state: 'starting' | 'ready' | 'gone';
  startedAt: number;
  /** Why it could not start, as it said. */
  failure?: string;
}

interface Staging extends PreparedRuntime {
  id: number;
  slots: Slot[];
  source: ResolvedSource;
  release(): void;
}

export interface WorkerPart<T> {
  id: number;
  pid: number;
  value?: T;
  error?: string;
}

/** A worker that lived less than this before dying counts as a failed start: the next try waits longer. */
const HEALTHY_AFTER_MS = 10_000;
const MAX_BACKOFF_MS = 30_000;

export type WorkerSet = ReturnType<typeof createWorkerSet>;

export function createWorkerSet(options: WorkerSetOptions) {
  const { logger } = options;
  const slots = new Map<number, Slot>();
  let source = options.source;
  let current = { hash: options.hash, loadedAt: Date.now() };
  let tls = options.tls;
  const port = options.port;
  let stopping = false;
  let stages = 0;
  const failures = new Map<number, number>();
  const timers = new Set<NodeJS.Timeout>();
  const exits = new Set<Promise<void>>();

  // One thing at a time (see the header).
  const { acquire } = createSerial();

  const ready = () => [...slots.values()].filter((s) => s.state === 'ready');
  const name = (slot: Slot) => `worker ${slot.id} (pid ${slot.worker.process.pid})`;

  /** Forks worker `id` and resolves once it serves; rejects with why it could not. */
  const fork = (id: number): Promise<WorkerReady> => {
    const worker = cluster.fork({ GW_WORKER_ID: String(id) });
    let started!: (ready: WorkerReady) => void;
    let failed!: (error: Error) => void;
    const outcome = new Promise<WorkerReady>((resolve, reject) => {
      started = resolve;
      failed = reject;
    });
    const slot: Slot = {
      id,
      worker,
      state: 'starting',
      startedAt: Date.now(),
      rpc: createRpc((message) => worker.send(message as object), {
        init: (): WorkerInit => ({ source, nodeId: options.nodeId, tls: tls?.pair, port, tlsPort: tls?.port }),
        ready(args) {
          slot.state = 'ready';
          started(args as WorkerReady);
        },
        failed(args) {
          slot.failure = String(args);
        },
      }),
    };
    slots.set(id, slot);
    worker.on('message', (message) => slot.rpc.receive(message));
    // A send on a channel that just closed; the exit that follows tells what happened.
    worker.on('error', () => undefined);
    const exited: Promise<void> = new Promise<void>((resolve) => {
        worker.once('exit', (code, signal) => {
          const was = slot.state;
          slot.state = 'gone';
          slot.rpc.fail(`worker ${id} exited`);
          if (slots.get(id) === slot) slots.delete(id);
          const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
          if (was === 'starting') failed(new Error(slot.failure ?? `it ${how} while starting`));
          else if (!stopping) {
            logger.error(`${name(slot)} ${how}; starting another`);
            const lived = Date.now() - slot.startedAt;
            failures.set(id, lived < HEALTHY_AFTER_MS ? (failures.get(id) ?? 0) + 1 : 0);
            replace(id);
          }
          exits.delete(exited);
          resolve();
        });
      });
    exits.add(exited);
    return outcome;
  };

  /** Starts worker `id` again, after a pause that grows while its predecessors die young. */
  const replace = (id: number) => {
    const n = failures.get(id) ?? 0;
    const delay = n === 0 ? 0 : Math.min(MAX_BACKOFF_MS, 1_000 * 2 ** (n - 1));
    const timer = setTimeout(() => {
      timers.delete(timer);
      void (async () => {
        const release = await acquire();
        try {
          if (stopping) return;
          await fork(id);
          logger.info(`${name(slots.get(id)!)} started in place of the one that exited`);
        } catch (error) {
          if (stopping) return;
          failures.set(id, (failures.get(id) ?? 0) + 1);
          const next = Math.min(MAX_BACKOFF_MS, 1_000 * 2 ** ((failures.get(id) ?? 1) - 1));
          logger.error(`worker ${id} could not start: ${(error as Error).message}; trying again in ${next / 1000} s`);
          replace(id);
        } finally {
          release();
        }
      })();
    }, delay);
    timers.add(timer);
  };

  /** Calls `name` on every ready worker; each worker's value or error. */
  const everyWorker = async <T>(call: string, args: unknown, timeoutMs: number, among = ready()): Promise<WorkerPart<T>[]> =>
    Promise.all(
      among.map(async (slot) => {
        const part: WorkerPart<T> = { id: slot.id, pid: slot.worker.process.pid ?? 0 };
        try {
          part.value = await slot.rpc.call<T>(call, args, timeoutMs);
        } catch (error) {
          part.error = (error as Error).message;
        }
        return part;
      }),
    );
  const firstError = (parts: WorkerPart<unknown>[]) => {
    const failed = parts.find((p) => p.error !== undefined);
    return failed && `worker ${failed.id}: ${failed.error}`;
  };

  const target: LifecycleTarget = {
    async prepare(config: GatewayConfig, next: ResolvedSource): Promise<Staging> {
      const release = await acquire();
      const id = ++stages;
      const among = ready();
      const hash = configurationHash(config);
      const replies = await everyWorker<StageReply>('stage', { id, source: next }, TIMEOUTS.stage, among);
      let why = firstError(replies);
      for (const r of replies) {
        if (why) break;
        const reply = r.value!;
        if (!reply.ok) why = `worker ${r.id}: ${reply.reason === 'invalid' ? `${reply.problems.length} problem(s) loading the configuration there` : reply.message}`;
        else if (reply.hash !== hash) why = `worker ${r.id} loaded a different configuration (hash ${reply.hash}, expected ${hash})`;
      }
      if (why) {
        await everyWorker('discard', id, TIMEOUTS.commit, among);
        release();
        throw new Error(why);
      }
      return { id, hash, slots: among, source: next, release };
    },
    async activate(prepared) {
      const staging = prepared as Staging;
      try {
        source = staging.source;
        current = { hash: staging.hash, loadedAt: Date.now() };
        const parts = await everyWorker<string>('commit', staging.id, TIMEOUTS.commit, staging.slots.filter((s) => s.state === 'ready'));
        for (const part of parts) {
          if (part.error === undefined) continue;
          // It must not go on serving the old configuration: its replacement starts with the new one.
          const slot = slots.get(part.id);
          logger.error(`worker ${part.id} did not take the new configuration (${part.error}); replacing it`);
          slot?.worker.process.kill('SIGKILL');
        }
      } finally {
        staging.release();
      }
    },
    async discard(prepared) {
      const staging = prepared as Staging;
      try {
        await everyWorker('discard', staging.id, TIMEOUTS.commit, staging.slots.filter((s) => s.state === 'ready'));
      } finally {
        staging.release();
      }
    },
    async reloadTls(pair) {
      if (!tls) throw new Error('no TLS listener');
      // A pair that doesn't go together is refused here, before any worker sees it.
      createSecureContext({ cert: pair.cert, key: pair.key });
      tls = { ...tls, pair };
      const why = firstError(await everyWorker('reloadTls', pair, TIMEOUTS.quick));
      if (why) throw new Error(why);
    },
    async reopen() {
      const why = firstError(await everyWorker('reopen', undefined, TIMEOUTS.quick));
      if (why) throw new Error(why);
    },
    async close({ drainMs }) {
      stopping = true;
      for (const timer of timers) clearTimeout(timer);
      for (const slot of slots.values()) slot.rpc.call('drain', drainMs, TIMEOUTS.quick).catch(() => undefined);
      // The workers drain on their own clocks (drainMs, then 2 s for aborted requests' log lines).
      const deadline = setTimeout(() => {
        for (const slot of slots.values()) {
          logger.warn(`${name(slot)} did not stop in time; killing it`);
          slot.worker.process.kill('SIGKILL');
        }
      }, drainMs + 5_000);
      await Promise.all(exits);
      clearTimeout(deadline);
    },
    get inFlight() {
      return 0;
    },
  };

  return {
    target,
    /** Forks every worker and resolves once all serve; if one can't start, stops the others and rejects. */
    async start(): Promise<{ proxy: Address; tls?: Address }> {
      cluster.setupPrimary({ serialization: 'advanced' });
      const release = await acquire();
      try {
        const started = await Promise.allSettled(Array.from({ length: options.count }, (_, i) => fork(i + 1)));
        const failed = started.findIndex((s) => s.status === 'rejected');
        if (failed >= 0) {
          stopping = true;
          for (const slot of slots.values()) slot.worker.process.kill('SIGKILL');
          await Promise.all(exits);
          throw new Error(`worker ${failed + 1} could not start: ${((started[failed] as PromiseRejectedResult).reason as Error).message}`);
        }
        // Replacements listen on the same configured address (port 0 too), so node:cluster gives them the
        // listener their siblings share.
        const first = (started[0] as PromiseFulfilledResult<WorkerReady>).value;
        return { proxy: first.proxy, tls: first.tls };
      } finally {
        release();
      }
    },
    snapshots: () => everyWorker<StatusSnapshot>('status', undefined, TIMEOUTS.status),
    collect: (path: string, url: string) => everyWorker<unknown>('collect', { path, url }, TIMEOUTS.status),
    async forward(path: string, url: string): Promise<ForwardedResponse> {
      const slot = ready()[0];
      if (!slot) throw new Error('no worker is serving');
      return slot.rpc.call<ForwardedResponse>('forward', { path, url }, TIMEOUTS.status);
    },
    /** The configuration the workers serve. */
    current: () => current,
    readyCount: () => ready().length,
    pids: () => ready().map((s) => s.worker.process.pid ?? 0),
    get stopping() {
      return stopping;
    },
  };
}
