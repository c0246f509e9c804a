/**
 * The whole product on loopback, as a user runs it: the Bedrock emulator, and the built `gw` CLI started
 * on an example's kong.yaml (only the log path and AWS_ENDPOINT_URL_BEDROCK_RUNTIME differ).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startBedrockEmulator, DEFAULT_CREDENTIALS, type Emulator } from '@gw/bedrock-emulator';
import { captureGwOutput, noteSecretsOf } from '../../support/gw-output.js';

export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
export const exampleConfig = join(repoRoot, 'examples/claude-code-bedrock/kong.yaml');
/** The same with no model.name: models mapped and priced through the catalogue. */
export const catalogueExampleConfig = join(repoRoot, 'examples/claude-code-bedrock-catalogue/kong.yaml');
const cli = join(repoRoot, 'packages/cli/dist/bin.js');

export interface Stack {
  emulator: Emulator;
  gwUrl: string;
  logPath: string;
  dir: string;
  /** Every JSON line file-log wrote so far. */
  logLines(): Record<string, unknown>[];
  /** What gw printed (stdout + stderr). */
  output(): string;
  stop(): Promise<void>;
}

export interface StackOptions {
  /** The example's kong.yaml (default: examples/claude-code-bedrock). */
  example?: string;
  /** The file-log path the example writes to, replaced by the stack's own. */
  logPath?: string;
  /** More DECK_ variables the example reads. */
  deckEnv?: Record<string, string>;
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run the root \`test\` script (it builds first)`);
  const emulator = await startBedrockEmulator();
  const dir = mkdtempSync(join(tmpdir(), 'gw-e2e-'));
  const exampleLog = options.logPath ?? '/tmp/claude.json';
  const logPath = join(dir, 'gw-log.json');
  const config = join(dir, 'kong.yaml');
  const source = readFileSync(options.example ?? exampleConfig, 'utf8');
  if (!source.includes(`path: ${exampleLog}`)) throw new Error('example kong.yaml changed: update the e2e stack');
  writeFileSync(config, source.replace(`path: ${exampleLog}`, `path: ${logPath}`));

  const credentials = DEFAULT_CREDENTIALS[0]!;
  const child = spawn(process.execPath, [cli, 'start', '-s', config, '--port', '0', '--host', '127.0.0.1'], {
    env: {
      PATH: process.env.PATH,
      DECK_AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      DECK_AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      DECK_AWS_REGION: 'us-east-1',
      AWS_ENDPOINT_URL_BEDROCK_RUNTIME: emulator.url,
      AWS_EC2_METADATA_DISABLED: 'true', // tests talk only to 127.0.0.1
      // and never read the developer's ~/.aws
      AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/gw-tests/.aws/credentials',
      AWS_CONFIG_FILE: '/nonexistent/gw-tests/.aws/config',
      ...options.deckEnv,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  noteSecretsOf({ DECK_AWS_ACCESS_KEY_ID: credentials.accessKeyId, DECK_AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey, ...options.deckEnv });
  const capture = captureGwOutput('e2e-gw-start');
  let output = '';
  child.stdout!.on('data', (d: Buffer) => {
    output += d.toString();
    capture(d);
  });
  child.stderr!.on('data', (d: Buffer) => {
    output += d.toString();
    capture(d);
  });
  const gwUrl = await waitForListening(child, () => output);

  return {
    emulator,
    gwUrl,
    logPath,
    dir,
    logLines: () =>
      existsSync(logPath)
        ? readFileSync(logPath, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>)
        : [],
    output: () => output,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      await emulator.close();
    },
  };
}

function waitForListening(child: ChildProcess, output: () => string): Promise<string> {
  return new Promise((resolve, reject) => {
    const onData = () => {
      const match = /listening on (http:\/\/[\d.]+:\d+)/.exec(output());
      if (match) {
        child.stdout!.off('data', onData);
        resolve(match[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`gw exited with ${code}:\n${output()}`)));
  });
}

/** Polls until `read()` returns a truthy value (log lines land asynchronously after the response). */
export async function eventually<T>(read: () => T | undefined | null | false, what: string, attempts = 100): Promise<T> {
  for (let i = 0; i < attempts; i++) {
    const value = read();
    if (value) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`gave up waiting for ${what}`);
}
