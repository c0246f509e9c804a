/**
 * Everything gw says during the test run, kept for the secret scan (test/secrets/scan.test.ts): the
 * stdout and stderr of every `gw` process tests start, and the messages of in-process gateways' loggers,
 * each appended to a file under the run's folder (test/support/run-root.ts). Outside a full run (no
 * GW_TEST_RUN_ROOT) nothing is written. Helpers also note the secrets they hand gw through the
 * environment, so the scan knows to look for them.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

export const OUTPUT_DIR = 'gw-output';
export const NOTED_SECRETS_FILE = 'noted-secrets.txt';

let sequence = 0;

/** A function that appends text to a new capture file named after `label`; a no-op outside a full run. */
export function captureGwOutput(label: string): (text: string | Buffer) => void {
  const root = process.env.GW_TEST_RUN_ROOT;
  if (root === undefined) return () => {};
  const dir = join(root, OUTPUT_DIR);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${label.replace(/[^\w.-]+/g, '_')}-${process.pid}-${++sequence}.log`);
  return (text) => appendFileSync(file, text);
}

/** Environment entries that carry secrets: their values are what the scan must never find in gw's output. */
const SECRET_NAME = /SECRET|KEY|TOKEN|PASSWORD|CREDENTIAL/i;

/** Notes the secret-looking values of `env` (by variable name) for the scan. */
export function noteSecretsOf(env: Readonly<Record<string, string | undefined>> | undefined): void {
  const root = process.env.GW_TEST_RUN_ROOT;
  if (root === undefined || env === undefined) return;
  const values = Object.entries(env)
    .filter(([name, value]) => SECRET_NAME.test(name) && typeof value === 'string' && value.length >= 8)
    .map(([, value]) => value!);
  if (values.length > 0) appendFileSync(join(root, NOTED_SECRETS_FILE), `${values.join('\n')}\n`);
}
