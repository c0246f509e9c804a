/**
 * A real OpenAI-format agent, end to end: the Codex CLI (pinned, from npm, on the Chat Completions wire)
 * → gw (examples/openai-bedrock/kong.yaml: key-auth, ai-proxy openai → bedrock, file-log) → the Bedrock
 * emulator's ConverseStream, offline. Scenarios come from a `[scenario:NAME]` marker in the prompt.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { DEFAULT_CREDENTIALS } from '@gw/bedrock-emulator';
import { eventually, repoRoot, startStack, type Stack } from './support/stack.js';
import { installCodex, runCodex } from './support/codex.js';

const MODEL = 'us.anthropic.claude-haiku-4-5-20251001-v1:0';
const DEV_KEY = 'gw-e2e-codex-dev-key-never-logged-7f3a9c';
const RUN = 150_000;

interface AiLine {
  response: { status: number };
  cut?: { by: string; reason: string };
  ai: { proxy: { meta: Record<string, unknown>; usage: Record<string, number>; error?: { type: string; message: string } } };
}

describe('Codex CLI through gw to Bedrock Converse', () => {
  let stack: Stack;

  beforeAll(async () => {
    installCodex();
    stack = await startStack({ example: join(repoRoot, 'examples/openai-bedrock/kong.yaml'), logPath: '/tmp/openai.json', deckEnv: { DECK_DEV_KEY: DEV_KEY } });
  }, 300_000);
  afterAll(async () => {
    await stack?.stop();
  });

  async function run(prompt: string, args: string[] = []) {
    const before = stack.emulator.received.length;
    const linesBefore = stack.logLines().length;
    const outcome = await runCodex(stack.gwUrl, DEV_KEY, prompt, { args });
    const received = stack.emulator.received.slice(before);
    const lines = (await eventually(() => {
      const all = stack.logLines().slice(linesBefore);
      return all.length >= received.length ? all : undefined;
    }, `${received.length} log lines`)) as unknown as AiLine[];
    return { outcome, received, lines };
  }

  it('answers a plain prompt with what Bedrock said, over ConverseStream, logged with usage', async () => {
    const { outcome, received, lines } = await run('say hi [scenario:text]');
    expect(outcome.code, outcome.stdout + outcome.stderr).toBe(0);
    expect(outcome.lastMessage).toBe('Hello from the Bedrock emulator.');
    expect(outcome.events.some((e) => e.type === 'turn.completed')).toBe(true);
    expect(received.length).toBeGreaterThan(0);
    for (const request of received) {
      expect(request).toMatchObject({ operation: 'converse-stream', modelId: MODEL, signatureValid: true });
      expect(JSON.stringify(request.headers)).not.toContain(DEV_KEY);
    }
    // Codex's own tools (its shell first) went to Bedrock as Converse tool specs.
    const tools = (received[0]!.json as { toolConfig: { tools: { toolSpec: { name: string } }[] } }).toolConfig.tools.map((t) => t.toolSpec.name);
    expect(tools).toContain('shell');
    expect(lines.length).toBe(received.length);
    for (const line of lines) {
      expect(line.response.status).toBe(200);
      expect(line.ai.proxy.meta).toMatchObject({ request_model: MODEL, provider_name: 'bedrock', request_mode: 'stream' });
      expect(line.ai.proxy.usage.prompt_tokens).toBeGreaterThan(0);
      expect(line.ai.proxy.usage.completion_tokens).toBeGreaterThan(0);
      expect(line.ai.proxy.usage.cost).toBeGreaterThan(0);
      expect(line.ai.proxy.usage.time_to_first_token).toBeGreaterThanOrEqual(0);
    }
  }, RUN);

  it('completes a tool round trip: the shell call runs, its output goes back as a toolResult, the answer quotes it', async () => {
    const { outcome, received } = await run('run the check [scenario:tool_use]', ['--full-auto']);
    expect(outcome.code, outcome.stdout + outcome.stderr).toBe(0);
    const ran = outcome.events.find((e) => e.type === 'item.completed' && e.item?.type === 'command_execution');
    expect(ran?.item?.aggregated_output).toContain('gw-tool-ok');
    expect(outcome.lastMessage).toContain('gw-tool-ok');
    const followUp = received.find((r) => JSON.stringify(r.json).includes('"toolResult"'));
    expect(followUp, 'a request carrying the toolResult').toBeDefined();
    const messages = (followUp!.json as { messages: { role: string; content: { toolUse?: { name: string; input: unknown } }[] }[] }).messages;
    const call = messages.flatMap((m) => m.content).find((b) => b.toolUse)!.toolUse!;
    expect(call).toMatchObject({ name: 'shell', input: { command: ['bash', '-lc', 'echo gw-tool-ok'] } });
  }, RUN);

  it('retries a throttled call (429) and succeeds', async () => {
    const { outcome, lines } = await run('say hi [scenario:throttle_once]');
    expect(outcome.code, outcome.stdout + outcome.stderr).toBe(0);
    expect(outcome.lastMessage).toBe('Hello from the Bedrock emulator.');
    expect(lines.map((l) => l.response.status)).toEqual([429, 200]);
    expect(lines[0]!.ai.proxy.error).toMatchObject({ type: 'rate_limit_error' });
  }, RUN);

  it('takes a stream that failed part-way for a failure (never a short answer) and reconnects', async () => {
    stack.emulator.queue('exception_mid_stream');
    const { outcome, lines } = await run('say hi again');
    expect(outcome.code, outcome.stdout + outcome.stderr).toBe(0);
    expect(outcome.lastMessage).toBe('Hello from the Bedrock emulator.');
    expect(lines).toHaveLength(2);
    // The first stream: the error event, then a broken connection (Codex 0.58 skips error events).
    expect(lines[0]!.ai.proxy.error?.message).toContain('internal error');
    expect(lines[0]!.cut).toMatchObject({ by: 'gateway', reason: 'error' });
    expect(lines[1]!.ai.proxy.error).toBeUndefined();
  }, RUN);

  it('never writes a key to the log', () => {
    const text = readFileSync(stack.logPath, 'utf8');
    const aws = DEFAULT_CREDENTIALS[0]!;
    for (const secret of [DEV_KEY, aws.accessKeyId, aws.secretAccessKey]) {
      expect(text).not.toContain(secret);
      expect(stack.output()).not.toContain(secret);
    }
  });
});
