/** Runs a pinned Claude Code build in print mode against gw, offline, with a throwaway HOME. */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// The project's own installer (also usable by hand): installs into .cache/claude-code/<version>.
import { ensureClaudeCode } from '../../../scripts/install-claude-code.mjs';

export const CLIENT_KEY = 'sk-ant-e2e-client-key-must-never-be-logged';

export interface ClaudeRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** The `--output-format json` result, when stdout parsed. */
  result: { result?: string; is_error?: boolean; [k: string]: unknown } | undefined;
}

export function installClaude(version: string): { command: string; args: string[] } {
  return ensureClaudeCode(version) as { command: string; args: string[] };
}

/**
 * Claude Code's Bedrock mode against a gw route (`llm_format: bedrock`): the gw key as its Bedrock API key
 * (`AWS_BEARER_TOKEN_BEDROCK`, sent as `authorization: Bearer`), no AWS credentials of its own.
 */
export function bedrockModeEnv(gwUrl: string, routePath: string, key: string): Record<string, string | undefined> {
  return {
    // Not the Anthropic API: with ANTHROPIC_API_KEY set, 2.0.37 in Bedrock mode waits forever (on its key prompt).
    ANTHROPIC_API_KEY: undefined,
    ANTHROPIC_BASE_URL: undefined,
    CLAUDE_CODE_USE_BEDROCK: '1',
    ANTHROPIC_BEDROCK_BASE_URL: `${gwUrl}${routePath}`,
    AWS_BEARER_TOKEN_BEDROCK: key,
    AWS_REGION: 'us-east-1',
  };
}

export async function runClaude(
  version: string,
  gwUrl: string,
  prompt: string,
  /** `env` entries set to undefined are removed from the defaults. */
  options: { env?: Record<string, string | undefined>; args?: string[]; timeoutMs?: number } = {},
): Promise<ClaudeRun> {
  const { command, args } = installClaude(version);
  const home = mkdtempSync(join(tmpdir(), 'gw-e2e-home-'));
  const env: Record<string, string | undefined> = {
    PATH: process.env.PATH,
    HOME: home,
    ANTHROPIC_BASE_URL: `${gwUrl}/anything`,
    ANTHROPIC_API_KEY: CLIENT_KEY,
    ANTHROPIC_MODEL: 'us.anthropic.claude-haiku-4-5-20251001-v1:0',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    DISABLE_TELEMETRY: '1',
    DISABLE_AUTOUPDATER: '1',
    // Belt and braces for "offline": anything not for gw on loopback goes to a closed local port.
    HTTPS_PROXY: 'http://127.0.0.1:9',
    HTTP_PROXY: 'http://127.0.0.1:9',
    NO_PROXY: '127.0.0.1,localhost',
    ...options.env,
  };
  for (const name of Object.keys(env)) if (env[name] === undefined) delete env[name];
  const child = spawn(command, [...args, '-p', prompt, '--output-format', 'json', ...(options.args ?? [])], {
    cwd: home,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 90_000);
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  clearTimeout(timer);
  let result: ClaudeRun['result'];
  try {
    result = JSON.parse(stdout.trim().split('\n').pop() ?? '');
  } catch {
    result = undefined;
  }
  return { code, stdout, stderr, result };
}
