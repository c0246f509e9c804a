/**
 * Calls between a cluster primary and its workers over Node's IPC channel: a call is a message with an id,
 * answered by one with the same id; a call not answered in time, or whose peer went away, fails. Every
 * message carries `gw: 'cluster'`, so other users of the same channel (prom-client, a plugin's own) are
 * left alone, and this ignores theirs.
 */

interface CallMessage {
  gw: 'cluster';
  id: number;
  call: string;
  args?: unknown;
}

interface ReplyMessage {
  gw: 'cluster';
  id: number;
  reply: true;
  ok: boolean;
  value?: unknown;
  error?: string;
}

export type Handlers = Record<string, (args: unknown) => unknown>;

export interface Rpc {
  call<T = unknown>(name: string, args: unknown, timeoutMs: number): Promise<T>;
  /** Feed every message from the peer here; false when it is not one of ours. */
  receive(message: unknown): boolean;
  /** The peer is gone: every pending call fails with `reason`. */
  fail(reason: string): void;
}

function isOurs(message: unknown): message is CallMessage | ReplyMessage {
  return typeof message === 'object' && message !== null && (message as { gw?: unknown }).gw === 'cluster';
}

/** `send` posts one message to the peer (worker.send, process.send); it may throw once the channel is closed. */
export function createRpc(send: (message: unknown) => void, handlers: Handlers): Rpc {
  let next = 1;
  const pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void; timer: NodeJS.Timeout }>();
  const post = (message: CallMessage | ReplyMessage) => {
    try {
      send(message);
      return true;
    } catch {
      return false;
    }
  };
  const answer = async (message: CallMessage) => {
    const handler = handlers[message.call];
    try {
      if (!handler) throw new Error(`no such call: ${message.call}`);
      post({ gw: 'cluster', id: message.id, reply: true, ok: true, value: await handler(message.args) });
    } catch (error) {
      post({ gw: 'cluster', id: message.id, reply: true, ok: false, error: error instanceof Error ? error.message : String(error) });
    }
  };
  return {
    call<T>(name: string, args: unknown, timeoutMs: number) {
      const id = next++;
      return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new Error(`no answer to ${name} within ${timeoutMs} ms`));
        }, timeoutMs);
        pending.set(id, { resolve: resolve as (value: unknown) => void, reject, timer });
        if (!post({ gw: 'cluster', id, call: name, args })) {
          clearTimeout(timer);
          pending.delete(id);
          reject(new Error(`cannot send ${name}: the channel is closed`));
        }
      });
    },
    receive(message) {
      if (!isOurs(message)) return false;
      if ('reply' in message) {
        const waiting = pending.get(message.id);
        if (!waiting) return true; // answered after its timeout
        pending.delete(message.id);
        clearTimeout(waiting.timer);
        if (message.ok) waiting.resolve(message.value);
        else waiting.reject(new Error(message.error ?? 'failed'));
      } else {
        void answer(message);
      }
      return true;
    },
    fail(reason) {
      for (const [id, waiting] of pending) {
        pending.delete(id);
        clearTimeout(waiting.timer);
        waiting.reject(new Error(reason));
      }
    },
  };
}
