/**
 * A real `gw start` process (packages/cli/dist, built by the root `test` script) on a kong.yaml written to
 * a temp folder, listening on 127.0.0.1 at a free port: for tests that need replicas, not an in-process
 * gateway sharing this process's memory.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../../packages/cli/dist/bin.js', import.meta.url));

export interface GwProcess {
  url: string;
  dir: string;
  /** stdout + stderr so far. */
  output(): string;
  stop(): Promise<void>;
}

export async function startGw(yaml: string, options: { env?: Record<string, string>; dir?: string } = {}): Promise<GwProcess> {
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run the root \`test\` script (it builds first)`);
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'gw-proc-'));
  const config = join(dir, `kong-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(config, yaml);
  const child = spawn(process.execPath, [cli, 'start', '-s', config, '--port', '0', '--host', '127.0.0.1'], {
    env: {
      PATH: process.env.PATH,
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/gw-tests/.aws/credentials',
      AWS_CONFIG_FILE: '/nonexistent/gw-tests/.aws/config',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const url = await listening(child, () => output);
  return {
    url,
    dir,
    output: () => output,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

function listening(child: ChildProcess, output: () => string): Promise<string> {
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
