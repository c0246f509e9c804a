/**
 * The real Claude Code CLI over its budget: gw (key-auth + ai-proxy + ai-rate-limiting-advanced counting
 * in a real Redis) in front of the Bedrock emulator. The developer's token budget for the window is
 * spent; Claude Code's calls get Anthropic's 429 `rate_limit_error` with Retry-After (the seconds left in
 * the window), wait for it, and succeed in the next window.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_CREDENTIALS, startBedrockEmulator, type Emulator } from '@gw/bedrock-emulator';
import { startRedisServer, type RedisServer } from '../support/redis-server.js';
import { startGw, type GwProcess } from '../support/gw-process.js';
import { roomInWindow } from '../integration/support/windows.js';
import { runClaude, installClaude, CLIENT_KEY } from './support/claude.js';
import { eventually } from './support/stack.js';

const VERSIONS = ['2.1.330', '2.0.37'];
const MODEL = 'us.anthropic.claude-haiku-4-5-20251001-v1:0';
/**
 * Seconds: room for Claude Code to start and make its first call inside the spent window. Its own
 * backoff (2.0.37: 0.5, 1, 2, 4 s; 2.1.330: 0.8, 1.1, 2.3, 4.5 s) would retry several times within it.
 */
const WINDOW = 20;
/**
 * Tokens per window: spent at once by one large prompt (the emulator counts a token per 4 bytes), and
 * enough in the next window for all of Claude Code's calls (a main call and, in 2.0.37, two warmups).
 */
const LIMIT = 400_000;
const RUN = 150_000;

function config(redisPort: number, logPath: string): string {
  return `_format_version: "3.0"
consumers:
  - username: developer
    keyauth_credentials:
      - key: ${CLIENT_KEY}
services:
  - name: claude-code
    url: http://127.0.0.1:9/anything
    routes:
      - name: claude-code
        paths: [/anything]
plugins:
  - name: key-auth
    config: {key_names: [x-api-key]}
  - name: ai-rate-limiting-advanced
    config:
      llm_providers: [{name: bedrock, limit: [${LIMIT}], window_size: [${WINDOW}]}]
      window_type: fixed
      strategy: redis
      sync_rate: 0
      redis: {host: 127.0.0.1, port: ${redisPort}}
  - name: ai-proxy
    config:
      llm_format: anthropic
      route_type: llm/v1/chat
      logging: {log_statistics: true}
      auth: {aws_access_key_id: "\${aws_access_key_id}", aws_secret_access_key: "\${aws_secret_access_key}"}
      model:
        provider: bedrock
        name: ${MODEL}
        options: {bedrock: {aws_region: "\${aws_region}"}, max_tokens: 8192}
  - name: file-log
    config: {path: ${logPath}}
`;
}

interface Line {
  request: { id: string };
  response: { status: number; headers: Record<string, string> };
  started_at: number;
  ai?: { rate_limiting?: { allowed: boolean }; proxy?: { meta?: { client_model?: string; request_mode?: string } } };
}

describe.each(VERSIONS)('Claude Code %s over its budget', (version) => {
  let emulator: Emulator;
  let redis: RedisServer;
  let gw: GwProcess;
  let logPath: string;
  const lines = (): Line[] => (existsSync(logPath) ? readFileSync(logPath, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Line) : []);

  beforeAll(async () => {
    installClaude(version);
    emulator = await startBedrockEmulator();
    redis = await startRedisServer();
    const dir = mkdtempSync(join(tmpdir(), 'gw-e2e-budget-'));
    logPath = join(dir, 'log.json');
    const credentials = DEFAULT_CREDENTIALS[0]!;
    gw = await startGw(config(redis.port, logPath), {
      dir,
      env: {
        DECK_AWS_ACCESS_KEY_ID: credentials.accessKeyId,
        DECK_AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
        DECK_AWS_REGION: 'us-east-1',
        AWS_ENDPOINT_URL_BEDROCK_RUNTIME: emulator.url,
      },
    });
  }, 240_000);
  afterAll(async () => {
    await gw?.stop();
    await redis?.stop();
    await emulator?.close();
  });

  it('gets 429 rate_limit_error with Retry-After, waits for it, and succeeds in the next window', async () => {
    // Spend the window's budget at its start, so Claude Code starts with most of the window left.
    await roomInWindow(WINDOW, WINDOW - 1.5);
    const spend = await fetch(`${gw.url}/anything/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': CLIENT_KEY },
      body: JSON.stringify({ model: MODEL, max_tokens: 32, messages: [{ role: 'user', content: `${'x'.repeat(LIMIT * 4)} [scenario:text]` }] }),
    });
    expect(spend.status).toBe(200);
    await spend.text();
    const spent = String(spend.headers.get('x-kong-request-id'));
    await eventually(() => lines().some((l) => l.request.id === spent), 'the spending request charged');
    const before = lines().length;

    const outcome = await runClaude(version, gw.url, 'say hi [scenario:text]', { timeoutMs: 120_000 });
    expect(outcome.code, outcome.stdout + outcome.stderr).toBe(0);
    expect(outcome.result?.result).toContain('Hello from the Bedrock emulator.');

    const run = await eventually(() => {
      const all = lines().slice(before);
      return all.some((l) => l.response.status === 200) ? all : undefined;
    }, 'the served calls in the log');
    const refused = run.filter((l) => l.response.status === 429);
    expect(refused.length, 'Claude Code was refused at first').toBeGreaterThan(0);
    for (const l of refused) {
      expect(Number(l.response.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(l.ai?.rate_limiting?.allowed).toBe(false);
    }
    // Per call (its model: Claude Code 2.0.37 makes a main call and two warmups at once), every retry
    // after a 429 comes no earlier than Retry-After said. The one exception is 2.0.37 switching a failed
    // streaming call to a non-streaming one at once, which is a new request, not a retry.
    const calls = new Map<string, Line[]>();
    for (const l of run) {
      const call = l.ai?.proxy?.meta?.client_model ?? 'main';
      calls.set(call, [...(calls.get(call) ?? []), l]);
    }
    // (Warmups may still be waiting when the answer is printed and Claude Code exits.)
    expect([...calls.values()].some((attempts) => attempts.at(-1)!.response.status === 200)).toBe(true);
    for (const [call, attempts] of calls) {
      attempts.slice(1).forEach((next, i) => {
        const prev = attempts[i];
        if (prev.response.status !== 429) return;
        const fallback = prev.ai?.proxy?.meta?.request_mode === 'stream' && next.ai?.proxy?.meta?.request_mode === 'oneshot';
        if (fallback) return;
        expect(next.started_at, `${call}: a retry ${next.started_at - prev.started_at} ms after a 429 that said ${prev.response.headers['retry-after']} s`).toBeGreaterThanOrEqual(
          prev.started_at + Number(prev.response.headers['retry-after']) * 1000 - 100,
        );
      });
    }
    expect(run.every((l) => l.response.status === 200 || l.response.status === 429)).toBe(true);
  }, RUN);
});
