/**
 * Claude Code in its own Bedrock mode, end to end and offline: the real CLI (CLAUDE_CODE_USE_BEDROCK=1,
 * ANTHROPIC_BEDROCK_BASE_URL at gw, its gw key as AWS_BEARER_TOKEN_BEDROCK) → gw on
 * examples/claude-code-bedrock-native/kong.yaml (key-auth, ai-proxy with llm_format bedrock, file-log)
 * → the Bedrock emulator. Claude Code 2.1 checks that a Bedrock stream arrives as
 * application/vnd.amazon.eventstream, so a passing run also shows gw relays the stream as Bedrock's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_CREDENTIALS } from '@gw/bedrock-emulator';
import { startStack, eventually, repoRoot, type Stack } from './support/stack.js';
import { bedrockModeEnv, installClaude, runClaude } from './support/claude.js';

const VERSIONS = ['2.1.330', '2.0.37'];
const MODEL = 'us.anthropic.claude-haiku-4-5-20251001-v1:0';
const ALICE_KEY = 'gw-e2e-alice-bedrock-mode-key-4b9e';
const RUN = 150_000;

interface Line {
  request: { uri: string; method: string; headers: Record<string, unknown> };
  response: { status: number; headers: Record<string, unknown> };
  consumer?: { username: string };
  cut?: { by: string; reason: string };
  ai?: { proxy: { meta: Record<string, any>; usage: Record<string, number>; error?: { status: number; type: string } } };
}

describe.each(VERSIONS)('Claude Code %s in Bedrock mode through gw', (version) => {
  let stack: Stack;

  beforeAll(async () => {
    installClaude(version);
    stack = await startStack({
      example: join(repoRoot, 'examples/claude-code-bedrock-native/kong.yaml'),
      logPath: '/tmp/claude-bedrock.json',
      deckEnv: { DECK_ALICE_KEY: ALICE_KEY },
    });
  }, 240_000);

  afterAll(async () => {
    await stack?.stop();
  });

  /** Runs a prompt in Bedrock mode; waits for one log line with ai.proxy per call that reached Bedrock. */
  async function run(prompt: string, options: Parameters<typeof runClaude>[3] = {}) {
    const before = stack.emulator.received.length;
    const linesBefore = stack.logLines().length;
    const outcome = await runClaude(version, stack.gwUrl, prompt, {
      ...options,
      env: { ...bedrockModeEnv(stack.gwUrl, '/bedrock', ALICE_KEY), ANTHROPIC_MODEL: MODEL, ...options.env },
    });
    const received = stack.emulator.received.slice(before);
    const lines = await eventually(() => {
      const all = stack.logLines().slice(linesBefore) as unknown as Line[];
      return all.filter((l) => l.ai !== undefined).length >= received.length ? all : undefined;
    }, `${received.length} ai.proxy log lines`);
    return { outcome, received, lines };
  }

  /** Every model call: alice's, signed by gw, priced, with usage when it succeeded. */
  function expectCalls(lines: Line[]) {
    const calls = lines.filter((l) => l.ai !== undefined);
    expect(calls.length).toBeGreaterThan(0);
    for (const line of calls) {
      expect(line.consumer?.username).toBe('alice');
      expect(line.request.headers.authorization).toBe('REDACTED');
      const ai = line.ai!.proxy;
      expect(ai.meta).toMatchObject({ provider_name: 'bedrock', request_model: MODEL });
      expect(['stream', 'oneshot']).toContain(ai.meta.request_mode);
      if (line.response.status !== 200 || ai.error !== undefined) continue;
      // Claude Code exits once it has its answer: a side call still streaming is cut by the client, maybe
      // before its first token. Every other call reached its end.
      if (line.cut !== undefined) {
        expect(line.cut.by, JSON.stringify(line)).toBe('client');
        continue;
      }
      expect(ai.usage.prompt_tokens).toBeGreaterThan(0);
      expect(ai.usage.completion_tokens).toBeGreaterThan(0);
      expect(ai.usage.total_tokens).toBe(ai.usage.prompt_tokens! + ai.usage.completion_tokens!);
      expect(ai.usage.cost).toBeCloseTo((ai.usage.prompt_tokens! * 1 + ai.usage.completion_tokens! * 5) / 1e6, 12);
      expect(ai.usage.time_to_first_token, JSON.stringify(line)).toBeGreaterThanOrEqual(0);
      expect(ai.meta.llm_latency).toBeGreaterThanOrEqual(ai.usage.time_to_first_token!);
    }
    return calls;
  }

  it('answers a plain prompt; every call is signed by gw and logged with usage', async () => {
    const { outcome, received, lines } = await run('say hi [scenario:text]');
    expect(outcome.code, outcome.stdout + outcome.stderr).toBe(0);
    expect(outcome.result?.result).toContain('Hello from the Bedrock emulator.');
    expect(received.length).toBeGreaterThan(0);
    for (const request of received) {
      expect(request.signatureValid).toBe(true);
      expect(request.headers.authorization).toMatch(new RegExp(`^AWS4-HMAC-SHA256 Credential=${DEFAULT_CREDENTIALS[0]!.accessKeyId}/`));
    }
    const main = received.find((r) => r.operation === 'invoke-stream' && JSON.stringify(r.json).includes('[scenario:text]'));
    expect(main, 'the main call streamed').toBeDefined();
    const calls = expectCalls(lines);
    expect(calls.some((l) => l.ai!.proxy.meta.request_mode === 'stream' && l.response.status === 200)).toBe(true);
    // 2.1's start-up ListInferenceProfiles: Bedrock Runtime's 404, which Claude Code passes over.
    const profiles = lines.filter((l) => l.request.uri.startsWith('/bedrock/inference-profiles'));
    for (const line of profiles) {
      expect(line.response.status).toBe(404);
      expect(line.response.headers['x-amzn-errortype']).toBe('UnknownOperationException');
    }
    if (version.startsWith('2.1')) expect(profiles.length).toBe(1);
  }, RUN);

  it('completes a tool round trip: Bash runs, the tool_result goes back, the answer arrives', async () => {
    const { outcome, received, lines } = await run('run the check [scenario:tool_use]', { args: ['--allowedTools', 'Bash'] });
    expect(outcome.code, outcome.stdout + outcome.stderr).toBe(0);
    expect(outcome.result?.result).toContain('gw-tool-ok');
    expect(received.find((r) => JSON.stringify(r.json).includes('"tool_result"')), 'a request carrying the tool_result').toBeDefined();
    expectCalls(lines);
  }, RUN);

  it("retries Bedrock's throttling relayed as is, and succeeds", async () => {
    const { outcome, received, lines } = await run('say hi [scenario:throttle_once]');
    expect(outcome.code, outcome.stdout + outcome.stderr).toBe(0);
    expect(outcome.result?.result).toContain('Hello from the Bedrock emulator.');
    expect(received.filter((r) => JSON.stringify(r.json).includes('[scenario:throttle_once]')).length).toBeGreaterThan(1);
    const calls = expectCalls(lines);
    const throttled = calls.filter((l) => l.response.status === 429);
    expect(throttled.length).toBeGreaterThan(0);
    for (const line of throttled) {
      expect(line.response.headers['x-amzn-errortype']).toBe('ThrottlingException');
      expect(line.ai!.proxy.error).toMatchObject({ status: 429, type: 'ThrottlingException' });
    }
  }, RUN);

  it('refuses a Claude Code without a gw key with an AWS authentication error', async () => {
    const { outcome, received } = await run('say hi', { env: { AWS_BEARER_TOKEN_BEDROCK: 'not-a-gw-key', CLAUDE_CODE_MAX_RETRIES: '0' } });
    expect(outcome.code).toBe(1);
    expect(outcome.stdout).toMatch(/401|[Aa]uthenticat|Unauthorized/);
    expect(received).toEqual([]);
  }, RUN);

  it('never writes a secret to the log', () => {
    const text = readFileSync(stack.logPath, 'utf8');
    const aws = DEFAULT_CREDENTIALS[0]!;
    for (const secret of [ALICE_KEY, aws.accessKeyId, aws.secretAccessKey]) {
      expect(text).not.toContain(secret);
      expect(stack.output()).not.toContain(secret);
    }
  });
});
