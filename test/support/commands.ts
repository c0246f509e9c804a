/** Runs package-manager commands (pnpm, npm) the way a user types them, and collects what they print. */
import { spawn } from 'node:child_process';
import { basename } from 'node:path';

export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * pnpm as the test command was started: `npx -y pnpm@10 test` hands its own path to scripts as
 * npm_execpath. Run without pnpm (`npx vitest run …`), fall back to the README's `npx -y pnpm@10`.
 */
export function pnpm(): { command: string; args: string[] } {
  const execpath = process.env.npm_execpath;
  if (execpath && basename(execpath).startsWith('pnpm')) {
    return /\.[cm]?js$/.test(execpath) ? { command: process.execPath, args: [execpath] } : { command: execpath, args: [] };
  }
  return { command: 'npx', args: ['-y', 'pnpm@10'] };
}

/**
 * The environment minus what the outer `pnpm test` run put there for its own scripts (npm_config_*,
 * npm_lifecycle_*, INIT_CWD, …), so a nested pnpm or npm starts as it would from a shell.
 */
export function shellEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^(npm_|pnpm_|INIT_CWD$)/i.test(key)) env[key] = value;
  }
  return { ...env, ...extra };
}

/** Runs to completion; never rejects on a non-zero exit (callers show stderr in their assertion). */
export function run(command: string, args: string[], opts: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: opts.cwd, env: opts.env ?? shellEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      stderr += `\n[killed: still running after ${opts.timeoutMs} ms]`;
      child.kill('SIGKILL');
    }, opts.timeoutMs ?? 120_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`cannot run ${command}: ${error.message}`));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** A failure message that shows what the command printed. */
export function describeRun(what: string, result: CommandResult): string {
  return `${what} exited ${result.code}\n--- stdout ---\n${result.stdout.trim()}\n--- stderr ---\n${result.stderr.trim()}`;
}

export interface LongRunning {
  /** stdout and stderr interleaved as received. */
  output(): string;
  /** Resolves with the first match in the output; rejects if the process exits first. */
  waitFor(pattern: RegExp): Promise<RegExpExecArray>;
  /** SIGTERM (if still running) and wait for the exit. */
  stop(): Promise<void>;
}

/** Starts a server process (gw start, the emulator's bin) and watches what it prints, never the clock. */
export function start(command: string, args: string[], opts: { cwd: string; env: NodeJS.ProcessEnv }): LongRunning {
  const child = spawn(command, args, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  let exited = false;
  const listeners = new Set<() => void>();
  const notify = () => {
    for (const listener of listeners) listener();
  };
  const append = (text: string) => {
    output += text;
    notify();
  };
  child.stdout.on('data', (d: Buffer) => append(d.toString()));
  child.stderr.on('data', (d: Buffer) => append(d.toString()));
  child.on('error', (error) => {
    exited = true;
    append(`\n[cannot run ${command}: ${error.message}]`);
  });
  const closed = new Promise<void>((resolve) =>
    child.on('close', () => {
      exited = true;
      notify();
      resolve();
    }),
  );
  return {
    output: () => output,
    waitFor: (pattern) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const match = pattern.exec(output);
          if (match || exited) listeners.delete(check);
          if (match) resolve(match);
          else if (exited) reject(new Error(`${command} ${args.join(' ')} exited (${child.exitCode ?? child.signalCode}) before printing ${pattern}:\n${output}`));
        };
        listeners.add(check);
        check();
      }),
    async stop() {
      if (!exited) child.kill('SIGTERM');
      await closed;
    },
  };
}
