/**
 * The real Claude Code CLI through examples/claude-code-bedrock-failover (ai-proxy-advanced over two
 * regions) to two Bedrock emulators, offline: the first region throttles every call, each call fails over
 * to the second within the same client request, and the log shows both tries; once the first region sat
 * out (max_fails), calls go straight to the second. The Anthropic SDK as a client of the same route.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import { startBedrockEmulator, type Emulator } from '@gw/bedrock-emulator';
import { eventually, repoRoot, startStack, type Stack } from './support/stack.js';
import { CLIENT_KEY, installClaude, runClaude } from './support/claude.js';

const VERSION = '2.1.330';
const example = join(repoRoot, 'examples/claude-code-bedrock-failover/kong.yaml');
const WEST = '              bedrock:\n                aws_region: us-west-2';

interface Tried { outcome: string; status?: number; target_description?: string; port: number }
type Line = { response: { status: number }; ai: { proxy: { tried_targets: Tried[]; meta: Record<string, unknown>; usage: Record<string, number> } } };

describe('Claude Code through ai-proxy-advanced, the first region throttling', () => {
  let west: Emulator;
  let stack: Stack;

  beforeAll(async () => {
    installClaude(VERSION);
    // us-east-1 is the stack's own emulator (AWS_ENDPOINT_URL_BEDROCK_RUNTIME); us-west-2 is this one.
    west = await startBedrockEmulator({ region: 'us-west-2' });
    const source = readFileSync(example, 'utf8');
    if (!source.includes(WEST)) throw new Error('example kong.yaml changed: update this test');
    const file = join(mkdtempSync(join(tmpdir(), 'gw-e2e-failover-')), 'kong.yaml');
    writeFileSync(file, source.replace(WEST, `              upstream_url: ${west.url}\n${WEST}`));
    stack = await startStack({ example: file });
  }, 240_000);
  afterAll(async () => {
    await stack?.stop();
    await west?.close();
  });

  it('answers: every call fails over to us-west-2 in the same request, the log shows both tries, then us-east-1 sits out', async () => {
    const east = stack.emulator;
    for (let i = 0; i < 50; i++) east.queue('throttle');
    const outcome = await runClaude(VERSION, stack.gwUrl, 'say hi');
    expect(outcome.code, outcome.stdout + outcome.stderr).toBe(0);
    expect(outcome.result?.result).toContain('Hello from the Bedrock emulator.');
    const calls = west.received.length;
    expect(calls).toBeGreaterThan(0);
    for (const r of west.received) expect(r.signatureValid).toBe(true);
    const lines = await eventually(() => {
      const all = stack.logLines() as unknown as Line[];
      return all.length >= calls ? all : undefined;
    }, `${calls} log lines`);
    for (const line of lines) expect(line.response.status).toBe(200);
    // Each call either failed over from us-east-1 in the same request, or (once it sat out: max_fails 3) went straight to us-west-2.
    const shapes = lines.map((l) => l.ai.proxy.tried_targets.map((t) => `${t.target_description}:${t.outcome}:${t.status}`).join(' '));
    for (const shape of shapes) expect(['us-east-1:failed_over:429 us-west-2:answered:200', 'us-west-2:answered:200']).toContain(shape);
    const failedOver = shapes.filter((s) => s.startsWith('us-east-1')).length;
    expect(failedOver).toBe(east.received.length);
    expect(failedOver).toBeGreaterThanOrEqual(Math.min(3, lines.length));
    for (const line of lines) {
      expect(line.ai.proxy.meta.target_description).toBe('us-west-2');
      expect(line.ai.proxy.usage.completion_tokens).toBeGreaterThan(0);
    }
    expect(JSON.stringify(lines)).not.toContain(CLIENT_KEY);
  }, 150_000);

  it('serves the Anthropic SDK on the same route (us-east-1 sitting out), streaming and not', async () => {
    const client = new Anthropic({ baseURL: `${stack.gwUrl}/anything`, apiKey: CLIENT_KEY, maxRetries: 0 });
    const before = west.received.length;
    const message = await client.messages.create({ model: 'claude-haiku-4-5-20251001', max_tokens: 64, messages: [{ role: 'user', content: 'hello' }] });
    expect(message.content[0]).toMatchObject({ type: 'text' });
    const stream = client.messages.stream({ model: 'claude-haiku-4-5-20251001', max_tokens: 64, messages: [{ role: 'user', content: 'hello' }] });
    const final = await stream.finalMessage();
    expect(final.usage.output_tokens).toBeGreaterThan(0);
    expect(west.received.length).toBe(before + 2);
  }, 60_000);
});
