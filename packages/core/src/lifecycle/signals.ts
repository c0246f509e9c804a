/**
 * What the signals an operator sends mean, as calls on the lifecycle controller:
 *   SIGHUP           reload the TLS certificate (if any) and the config files; an invalid one leaves the
 *                    running one serving (the two are independent: a bad file doesn't keep a new certificate out)
 *   SIGUSR1          reopen log files (after logrotate moved them)
 *   SIGTERM, SIGINT  drain: stop accepting, let in-flight requests finish within drainMs; a second one
 *                    exits without waiting
 */
import type { Logger } from '@gw/plugin-api';
import type { Lifecycle } from './controller.js';

export interface SignalOptions {
  drainMs: number;
  logger: Logger;
  /** How an unexpected error is told (the CLI adds stacks under --debug). */
  describeError?: (error: unknown) => string;
  /** Where signals come from: process, or a test's emitter. */
  target?: Pick<NodeJS.Process, 'on' | 'off'>;
  /** What a drain waits for, for the log line (default: the controller's in-flight requests; a cluster primary: its workers). */
  describeInFlight?: () => string;
}

/** Follows the signals until the gateway stopped; resolves with the exit code. */
export function followSignals(lifecycle: Lifecycle, options: SignalOptions): Promise<number> {
  const { logger } = options;
  const target = options.target ?? process;
  const describe = options.describeError ?? ((error: unknown) => (error instanceof Error ? error.message : String(error)));
  const requests = (n: number, what = 'request') => `${n} ${what}${n === 1 ? '' : 's'}`;
  const inFlight = options.describeInFlight ?? (() => requests(lifecycle.inFlight, 'in-flight request'));
  // Signals are handled one at a time, in the order they came: a SIGHUP during a reload waits for it,
  // then reloads again (the controller also queues them behind admin API changes).
  let queue: Promise<unknown> = Promise.resolve();
  const guarded = (task: () => Promise<unknown>) => () => {
    queue = queue.then(task).catch((error: unknown) => logger.error(describe(error)));
  };
  const onHup = guarded(async () => {
    await lifecycle.reloadTls();
    await lifecycle.reload({ kind: 'files' });
  });
  const onUsr1 = guarded(() => lifecycle.reopen());

  return new Promise((resolve) => {
    let stopping = false;
    const onStop = (signal: NodeJS.Signals) => {
      if (stopping) {
        logger.warn(`${signal} again: exiting without waiting for ${inFlight()}`);
        resolve(1);
        return;
      }
      stopping = true;
      target.off('SIGHUP', onHup).off('SIGUSR1', onUsr1);
      logger.info(`${signal}: draining ${inFlight()} (up to ${options.drainMs} ms)`);
      lifecycle.drain(options.drainMs).then(
        () => {
          logger.info('gw stopped');
          resolve(0);
        },
        (error: unknown) => {
          logger.error(`shutdown failed: ${describe(error)}`);
          resolve(1);
        },
      );
    };
    target.on('SIGHUP', onHup).on('SIGUSR1', onUsr1).on('SIGTERM', onStop).on('SIGINT', onStop);
  });
}
