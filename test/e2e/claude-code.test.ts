/**
 * The seed, end to end: the real Claude Code CLI → gw (example kong.yaml) → Bedrock emulator, offline.
 * Scenarios are chosen by a `[scenario:NAME]` marker in the prompt (see packages/bedrock-emulator).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { startStack, eventually, type Stack } from './support/stack.js';
import { runClaude, installClaude, CLIENT_KEY } from './support/claude.js';
import { DEFAULT_CREDENTIALS } from '@gw/bedrock-emulator';

const VERSIONS = ['2.1.330', '2.0.37'];
const MODEL = 'us.anthropic.claude-haiku-4-5-20251001-v1:0';
/** Longer than runClaude's own kill timer, so a stuck CLI is killed by the helper, not left behind. */
const RUN = 150_000;

interface AiLine {
  response: { status: number };
  cut?: { by: string };
  ai?: { proxy: { meta: Record<string, unknown>; usage: Record<string, number>; error?: unknown } };
}

/** Every line file-log wrote for a Claude Code request: the model, the mode, and for answers real usage. */
function expectAiRecord(raw: Record<string, unknown>): void {
  const line = raw as unknown as AiLine;
  expect(line.ai?.proxy.meta.request_model).toBe(MODEL);
  expect(['stream', 'oneshot']).toContain(line.ai?.proxy.meta.request_mode);
  // A failed exchange (HTTP error, or an exception frame mid-stream) carries the error, not full usage.
  if (line.response.status !== 200 || line.ai?.proxy.error !== undefined) return;
  // Claude Code exits once it has its answer: a side call still streaming then is cut by the client,
  // maybe before its first token. Every other call reached its end.
  if (line.cut !== undefined) {
    expect(line.cut.by, JSON.stringify(line)).toBe('client');
    return;
  }
  const usage = line.ai!.proxy.usage;
  expect(usage.prompt_tokens).toBeGreaterThan(0);
  expect(usage.completion_tokens).toBeGreaterThan(0);
  expect(usage.total_tokens).toBe(usage.prompt_tokens! + usage.completion_tokens!);
  expect(typeof usage.cost).toBe('number');
  expect(typeof usage.time_to_first_token, JSON.stringify(line)).toBe('number');
}

describe.each(VERSIONS)('Claude Code %s through gw to Bedrock', (version) => {
  let stack: Stack;

  beforeAll(async () => {
    installClaude(version);
    stack = await startStack();
  }, 240_000);

  afterAll(async () => {
    await stack?.stop();
  });

  /** Runs a prompt and checks the file-log invariants for the requests it caused. */
  async function run(prompt: string, options: Parameters<typeof runClaude>[3] = {}) {
    const before = stack.emulator.received.length;
    const linesBefore = stack.logLines().length;
    const outcome = await runClaude(version, stack.gwUrl, prompt, options);
    const received = stack.emulator.received.slice(before);
    // One log record per request Claude Code made (every request reached Bedrock here).
    const lines = await eventually(() => {
      const all = stack.logLines().slice(linesBefore);
      return all.length >= received.length ? all : undefined;
    }, `${received.length} log lines`);
    for (const line of lines) expectAiRecord(line);
    return { outcome, received, lines };
  }

  it('answers a plain prompt with what Bedrock said', async () => {
    const { outcome, received, lines } = await run('say hi [scenario:text]');
    expect(outcome.code, outcome.stdout + outcome.stderr).toBe(0);
    expect(outcome.result?.result).toContain('Hello from the Bedrock emulator.');
    expect(received.length).toBeGreaterThan(0);
    for (const request of received) expect(request.signatureValid).toBe(true);
    expect(lines.length).toBe(received.length);
    for (const line of lines) {
      const ai = (line.ai as { proxy: { meta: Record<string, unknown>; usage: Record<string, number> } }).proxy;
      expect(ai.meta.request_model).toBe(MODEL);
      expect(ai.meta.provider_name).toBe('bedrock');
      expect(['stream', 'oneshot']).toContain(ai.meta.request_mode);
      expect(ai.usage.prompt_tokens).toBeGreaterThan(0);
      expect(ai.usage.completion_tokens).toBeGreaterThan(0);
      expect(typeof ai.usage.cost).toBe('number');
      if (ai.meta.request_mode === 'stream') expect(ai.usage.time_to_first_token).toBeGreaterThanOrEqual(0);
    }
  }, RUN);

  it('completes a tool round trip: Bash runs, the tool_result goes back, the answer arrives', async () => {
    const { outcome, received } = await run('run the check [scenario:tool_use]', { args: ['--allowedTools', 'Bash'] });
    expect(outcome.code, outcome.stdout + outcome.stderr).toBe(0);
    expect(outcome.result?.result).toContain('gw-tool-ok');
    const followUp = received.find((r) => JSON.stringify(r.json).includes('"tool_result"'));
    expect(followUp, 'a request carrying the tool_result').toBeDefined();
  }, RUN);

  it('streams extended thinking with signatures back to the client', async () => {
    const { outcome, received } = await run('think first [scenario:thinking]', { env: { MAX_THINKING_TOKENS: '4096' } });
    expect(outcome.code, outcome.stdout + outcome.stderr).toBe(0);
    expect(outcome.result?.result).toBeTruthy();
    const main = received.find((r) => r.operation === 'invoke-stream' && JSON.stringify(r.json).includes('[scenario:thinking]'));
    const body = main!.json as { max_tokens: number; thinking?: { type: string; budget_tokens?: number } };
    expect(body.thinking, 'Claude Code asked for thinking').toBeDefined();
    // The example caps max_tokens at 8192; gw must still send a body Bedrock accepts.
    if (body.thinking!.budget_tokens !== undefined) expect(body.max_tokens).toBeGreaterThan(body.thinking!.budget_tokens);
    expect(main!.scenario).toBe('thinking');
  }, RUN);

  it('retries a throttled first attempt and succeeds', async () => {
    const { outcome, received } = await run('say hi [scenario:throttle_once]');
    expect(outcome.code, outcome.stdout + outcome.stderr).toBe(0);
    expect(outcome.result?.result).toContain('Hello from the Bedrock emulator.');
    expect(received.filter((r) => JSON.stringify(r.json).includes('[scenario:throttle_once]')).length).toBeGreaterThan(1);
  }, RUN);

  it('gives up on a persistent overload with the overloaded message, not a parse error', async () => {
    const { outcome, received, lines } = await run('say hi [scenario:overload]', {
      env: { CLAUDE_CODE_MAX_RETRIES: '1', CLAUDE_CODE_OVERLOADED_RETRY_MAX_WAIT_MS: '2000' },
      timeoutMs: 120_000,
    });
    expect(outcome.code).toBe(1);
    expect(outcome.stdout).toMatch(/529|[Oo]verloaded/);
    const marked = received.filter((r) => JSON.stringify(r.json).includes('[scenario:overload]'));
    expect(marked.length, 'Claude Code retried the 529').toBeGreaterThan(1);
    const failed = lines.filter((l) => (l.response as { status: number }).status === 529);
    expect(failed.length).toBeGreaterThan(0);
    for (const l of failed) expect((l.ai as { proxy: { error?: { type: string } } }).proxy.error?.type).toBe('overloaded_error');
    expect(outcome.stdout).not.toMatch(/JSON|parse|Unexpected token/i);
  }, RUN);

  it('recovers from an exception in the middle of a stream', async () => {
    const { outcome, received, lines } = await run('say hi [scenario:exception_mid_stream]', { timeoutMs: 120_000 });
    expect(outcome.code, outcome.stdout + outcome.stderr).toBe(0);
    expect(outcome.result?.result).toContain('Hello from the Bedrock emulator.');
    // The stream failed part-way (an SSE error event), and Claude Code fell back to a non-streaming call.
    const marked = received.filter((r) => JSON.stringify(r.json).includes('[scenario:exception_mid_stream]'));
    expect(marked.map((r) => r.operation)).toEqual(expect.arrayContaining(['invoke-stream', 'invoke']));
    const streamed = lines.filter((l) => (l.ai as { proxy: { meta: { request_mode: string }; error?: unknown } }).proxy.meta.request_mode === 'stream' && (l.ai as { proxy: { error?: unknown } }).proxy.error !== undefined);
    expect(streamed.length, 'the failed stream is logged with its error').toBeGreaterThan(0);
  }, RUN);

  it('never writes a secret to the log', () => {
    const text = readFileSync(stack.logPath, 'utf8');
    expect(text).not.toContain(CLIENT_KEY);
    const aws = DEFAULT_CREDENTIALS[0]!;
    for (const secret of [CLIENT_KEY, aws.accessKeyId, aws.secretAccessKey]) {
      expect(text).not.toContain(secret);
      expect(stack.output()).not.toContain(secret);
    }
    expect(text.split('\n').filter(Boolean).length).toBe(stack.logLines().length);
  });
});
