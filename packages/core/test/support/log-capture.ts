import { definePlugin, type LogRecord } from '@gw/plugin-api';

/** A log plugin (`capture`) that hands each record to the test; `next(n)` waits for the n-th. */
export function logCapture() {
  const records: LogRecord[] = [];
  const waiters: Array<() => void> = [];
  const def = definePlugin({
    name: 'capture',
    version: '1.0.0',
    priority: 1,
    configSchema: {},
    log({ record }) {
      records.push(JSON.parse(JSON.stringify(record)) as LogRecord);
      waiters.splice(0).forEach((w) => w());
    },
  });
  const next = async (n = 1) => {
    while (records.length < n) await new Promise<void>((r) => waiters.push(r));
    return records[n - 1]!;
  };
  return { def, records, next };
}
