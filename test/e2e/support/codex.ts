/** Runs the pinned Codex CLI (`codex exec`) against gw's OpenAI route, offline, with a throwaway HOME and CODEX_HOME. */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// The project's own installer (also usable by hand): installs into .cache/codex/<version>.
import { ensureCodex } from '../../../scripts/install-codex.mjs';

export interface CodexRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** `--json` events, one per stdout line that parsed. */
  events: { type: string; item?: { type: string; text?: string; command?: string; aggregated_output?: string } }[];
  /** The agent's last message (`--output-last-message`). */
  lastMessage: string;
}

export function installCodex(): { command: string; args: string[] } {
  return ensureCodex() as { command: string; args: string[] };
}

/**
 * `codex exec --json <prompt>` with a custom model provider on the Chat Completions wire pointing at
 * `<gwUrl>/openai/v1`; `key` is the gw key it sends as its OpenAI API key.
 */
export async function runCodex(gwUrl: string, key: string, prompt: string, options: { args?: string[]; timeoutMs?: number } = {}): Promise<CodexRun> {
  const { command, args } = installCodex();
  const home = mkdtempSync(join(tmpdir(), 'gw-e2e-codex-'));
  const work = mkdtempSync(join(tmpdir(), 'gw-e2e-codex-work-'));
  writeFileSync(join(home, 'config.toml'), [
    'model = "us.anthropic.claude-haiku-4-5-20251001-v1:0"',
    'model_provider = "gw"',
    '',
    '[model_providers.gw]',
    'name = "gw"',
    `base_url = "${gwUrl}/openai/v1"`,
    'env_key = "GW_API_KEY"',
    'wire_api = "chat"',
    'request_max_retries = 3',
    'stream_max_retries = 3',
    '',
  ].join('\n'));
  const last = join(home, 'last-message.txt');
  const child = spawn(command, [...args, 'exec', '--skip-git-repo-check', '--json', '--output-last-message', last, ...(options.args ?? []), prompt], {
    cwd: work,
    env: {
      PATH: process.env.PATH,
      HOME: home,
      CODEX_HOME: home,
      GW_API_KEY: key,
      // Belt and braces for "offline": anything not for gw on loopback goes to a closed local port.
      HTTPS_PROXY: 'http://127.0.0.1:9',
      HTTP_PROXY: 'http://127.0.0.1:9',
      NO_PROXY: '127.0.0.1,localhost',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 90_000);
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  clearTimeout(timer);
  const events = stdout.split('\n').flatMap((line) => {
    try {
      return [JSON.parse(line) as CodexRun['events'][number]];
    } catch {
      return [];
    }
  });
  return { code, stdout, stderr, events, lastMessage: existsSync(last) ? readFileSync(last, 'utf8').trim() : '' };
}
