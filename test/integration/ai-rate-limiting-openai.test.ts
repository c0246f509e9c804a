/**
 * ai-rate-limiting-advanced on an OpenAI-format route (llm_format openai → Bedrock Converse), with the
 * real `openai` SDK as the client: tokens charged from Converse's usage, a refusal in OpenAI's shape with
 * Retry-After and Kong's headers (so the SDK raises its RateLimitError, and with retries on waits and
 * succeeds), a stream refused before it starts, and the decision in the log.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import OpenAI from 'openai';
import { startBedrockEmulator, type Emulator } from '@gw/bedrock-emulator';
import { eventually, readLogLines, setEnv, startGateway, tempDir, type LogLine, type RunningGateway } from './support/gateway.js';
import { deckEnv } from './support/bedrock.js';
import { AWS_KEYS, CLIENT_KEY, MODEL, openaiBedrockConfig } from './support/openai.js';
import { afterWindow, roomInWindow } from './support/windows.js';

const WINDOW = 2; // seconds: one request fills it (limit 1 token), the next is refused until it rolls over
const budget = `  - name: ai-rate-limiting-advanced
    route: openai
    config:
      llm_providers: [{name: bedrock, limit: [1], window_size: [${WINDOW}]}]
      window_type: fixed
`;

let emulator: Emulator;
let gw: RunningGateway;
let logPath: string;
let restoreEnv: () => void;

beforeAll(async () => {
  emulator = await startBedrockEmulator({ credentials: [AWS_KEYS] });
  restoreEnv = setEnv({ AWS_ENDPOINT_URL_BEDROCK_RUNTIME: emulator.url });
  const dir = tempDir();
  logPath = join(dir, 'openai.json');
  gw = await startGateway(openaiBedrockConfig(logPath, budget), { dir, env: deckEnv });
});
afterAll(async () => {
  await gw?.close();
  restoreEnv?.();
  await emulator?.close();
});

const client = (maxRetries: number) => new OpenAI({ baseURL: `${gw.url}/openai/v1`, apiKey: CLIENT_KEY, maxRetries });
const ask = (c: OpenAI) => c.chat.completions.create({ model: MODEL, max_tokens: 32, messages: [{ role: 'user', content: 'hi [scenario:text]' }] });
/** A fresh window with room for a step: the previous test's count is gone. */
const freshWindow = async () => {
  await afterWindow(WINDOW, Date.now());
  await roomInWindow(WINDOW, 1.5);
};
const logLineOf = (id: string | null | undefined) =>
  eventually(() => readLogLines(logPath).find((line: LogLine) => line.request.id === id), `the log line of ${String(id)}`);

describe('ai-rate-limiting-advanced on an OpenAI-format route (the openai SDK)', () => {
  it('charges Converse usage, then refuses in OpenAI shape with Retry-After and Kong headers', async () => {
    await freshWindow();
    const { data, response } = await ask(client(0)).withResponse();
    expect(response.headers.get('x-ai-ratelimit-limit-2-bedrock')).toBe('1');
    const served = await logLineOf(response.headers.get('x-kong-request-id'));
    expect(served.ai.rate_limiting.limits[`${WINDOW}-bedrock`].charged).toBe(data.usage!.total_tokens);
    expect(served.ai.rate_limiting.limits[`${WINDOW}-bedrock`].charged).toBe(served.ai.proxy.usage.total_tokens);

    const err = await ask(client(0)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    const refused = err as InstanceType<typeof OpenAI.RateLimitError>;
    expect(refused.status).toBe(429);
    expect(refused.error).toEqual({ message: 'AI token rate limit exceeded for provider(s): bedrock', type: 'rate_limit_error', param: null, code: 'rate_limit_exceeded' });
    const retryAfter = Number(refused.headers?.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(WINDOW);
    expect(refused.headers?.get(`x-ai-ratelimit-retry-after-${WINDOW}-bedrock`)).toBe(String(retryAfter));
    expect(refused.headers?.get(`x-ai-ratelimit-remaining-${WINDOW}-bedrock`)).toBe('0');
    // Anthropic's own rate-limit headers belong to Anthropic-format routes only.
    expect(refused.headers?.get('anthropic-ratelimit-tokens-remaining')).toBeNull();
    const line = await logLineOf(refused.headers?.get('x-kong-request-id'));
    expect(line.response.status).toBe(429);
    expect(line.ai.rate_limiting).toMatchObject({ allowed: false, remaining: 0 });
  });

  it('refuses a stream before it starts: the SDK raises RateLimitError from create()', async () => {
    await freshWindow();
    await ask(client(0));
    const before = emulator.received.length;
    const err = await client(0).chat.completions.create({ model: MODEL, max_tokens: 32, stream: true, messages: [{ role: 'user', content: 'hi [scenario:text]' }] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    // The upstream was never called for the refused request.
    expect(emulator.received.length).toBe(before);
  });

  it('with retries on, the SDK waits for Retry-After and then succeeds', async () => {
    await freshWindow();
    const { response } = await ask(client(0)).withResponse();
    // Every line so far is written before the retrying client starts.
    await logLineOf(response.headers.get('x-kong-request-id'));
    const before = readLogLines(logPath).length;
    const answer = await ask(client(3));
    expect(answer.choices[0]!.message.content).toBe('Hello from the Bedrock emulator.');
    const lines = await eventually(() => {
      const mine = readLogLines(logPath).slice(before);
      return mine.at(-1)?.response.status === 200 ? mine : undefined;
    }, 'the served request in the log');
    expect(lines.map((l) => l.response.status)).toEqual([...Array(lines.length - 1).fill(429), 200]);
    expect(lines.length).toBeGreaterThanOrEqual(2);
    for (let i = 1; i < lines.length; i++) {
      const told = Number(lines[i - 1]!.response.headers['retry-after']);
      expect(lines[i]!.started_at - lines[i - 1]!.started_at).toBeGreaterThanOrEqual(told * 1000 - 50);
    }
  });
});
