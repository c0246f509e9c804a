/** Operations one at a time, in order: each waits for the previous one's release. */
export interface Serial {
  /** Waits for the previous holder; the caller calls the release it gets (possibly later, e.g. at a staged config's commit). */
  acquire(): Promise<() => void>;
  /** Runs `task` holding the lock. */
  serially<T>(task: () => Promise<T>): Promise<T>;
}

export function createSerial(): Serial {
  let tail: Promise<void> = Promise.resolve();
  const acquire = (): Promise<() => void> => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const ready = tail.then(() => release);
    tail = tail.then(() => held);
    return ready;
  };
  const serially = async <T>(task: () => Promise<T>): Promise<T> => {
    const release = await acquire();
    try {
      return await task();
    } finally {
      release();
    }
  };
  return { acquire, serially };
}
