/** Runs the built `gw` binary the way a user does, and waits on what it prints (never on the clock). */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { captureGwOutput, noteSecretsOf } from '../../../../test/support/gw-output.js';

export const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
export const gwBin = fileURLToPath(new URL('../../dist/bin.js', import.meta.url));

function assertBuilt(): void {
  if (!existsSync(gwBin)) throw new Error(`${gwBin} is missing: build first (npx tsc -b packages/cli/tsconfig.json, or the root test script)`);
}

/**
 * Only what gw needs: no DECK_* or GW_* leaking in from the developer's shell, and never the EC2 metadata
 * address (the credential chain's last resort): tests talk only to 127.0.0.1.
 */
function cleanEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  // Nor the developer's ~/.aws (HOME is unset here, so Node would find the real home directory).
  return {
    PATH: process.env.PATH,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/gw-tests/.aws/credentials',
    AWS_CONFIG_FILE: '/nonexistent/gw-tests/.aws/config',
    ...env,
  };
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Run gw to completion (sync, --help, failing start). */
export function runGw(args: string[], opts: { env?: Record<string, string>; cwd?: string; input?: string } = {}): Promise<RunResult> {
  assertBuilt();
  return new Promise((resolve, reject) => {
    const stdin = opts.input === undefined ? 'ignore' : 'pipe';
    noteSecretsOf(opts.env);
    const capture = captureGwOutput(`gw-${args[0] ?? ''}`);
    const child = spawn(process.execPath, [gwBin, ...args], { env: cleanEnv(opts.env ?? {}), cwd: opts.cwd ?? repoRoot, stdio: [stdin, 'pipe', 'pipe'] });
    if (opts.input !== undefined) child.stdin!.end(opts.input);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => {
      stdout += d.toString();
      capture(d);
    });
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
      capture(d);
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export interface GwProcess {
  child: ChildProcess;
  /** stdout and stderr interleaved as received. */
  output(): string;
  /** Resolves once the output (from `from` on) matches; rejects if gw exits first. */
  waitFor(pattern: RegExp, from?: number): Promise<RegExpExecArray>;
  exited: Promise<number | null>;
  /** SIGTERM (if still running) and wait for the exit. */
  stop(): Promise<number | null>;
}

/** Start a long-running gw (`start`); call `waitFor(/listening on (\S+)/)` for its URL. */
export function spawnGw(args: string[], opts: { env?: Record<string, string>; cwd?: string; input?: string } = {}): GwProcess {
  assertBuilt();
  const stdin = opts.input === undefined ? 'ignore' : 'pipe';
  noteSecretsOf(opts.env);
  const capture = captureGwOutput(`gw-${args[0] ?? ''}`);
  const child = spawn(process.execPath, [gwBin, ...args], { env: cleanEnv(opts.env ?? {}), cwd: opts.cwd ?? repoRoot, stdio: [stdin, 'pipe', 'pipe'] });
  if (opts.input !== undefined) child.stdin!.end(opts.input);
  let output = '';
  const listeners = new Set<() => void>();
  const onData = (d: Buffer) => {
    output += d.toString();
    capture(d);
    for (const listener of listeners) listener();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => {
    for (const listener of listeners) listener();
    resolve(code);
  }));

  const waitFor = (pattern: RegExp, from = 0) =>
    new Promise<RegExpExecArray>((resolve, reject) => {
      const check = () => {
        const match = pattern.exec(output.slice(from));
        if (match) {
          listeners.delete(check);
          resolve(match);
        } else if (child.exitCode !== null || child.signalCode !== null) {
          listeners.delete(check);
          reject(new Error(`gw exited (${child.exitCode ?? child.signalCode}) before printing ${pattern}:\n${output}`));
        }
      };
      listeners.add(check);
      check();
    });

  return {
    child,
    output: () => output,
    waitFor,
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}
