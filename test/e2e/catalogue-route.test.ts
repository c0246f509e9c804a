/**
 * One route with no model.name (examples/claude-code-bedrock-catalogue): the real Claude Code CLI asks for
 * Opus, Sonnet and Haiku, and each call reaches that model's us. inference profile at the Bedrock emulator,
 * priced from the catalogue with no price in the config; the real @anthropic-ai/sdk lists and retrieves
 * the route's models (auto-pagination included) and gets 400 for an id the route does not serve.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Anthropic from '@anthropic-ai/sdk';
import { startStack, eventually, catalogueExampleConfig, type Stack } from './support/stack.js';
import { runClaude, installClaude } from './support/claude.js';

const VERSIONS = ['2.1.330', '2.0.37'] as const;
const RUN = 150_000;

const OPUS_4_6 = 'us.anthropic.claude-opus-4-6-v1';
const OPUS_4_1 = 'us.anthropic.claude-opus-4-1-20250805-v1:0';
const SONNET_4_5 = 'us.anthropic.claude-sonnet-4-5-20250929-v1:0';
const HAIKU_4_5 = 'us.anthropic.claude-haiku-4-5-20251001-v1:0';

/**
 * Bedrock's regional prices per million tokens, copied by hand from packages/model-catalogue/data/catalogue.json
 * (checked 2026-12-06). The emulator's text answers use no cache, and no prompt here reaches a long-context tier.
 */
const PRICES: Record<string, { input: number; output: number }> = {
  [OPUS_4_6]: { input: 5.5, output: 27.5 },
  [OPUS_4_1]: { input: 15, output: 75 },
  [SONNET_4_5]: { input: 3.3, output: 16.5 },
  [HAIKU_4_5]: { input: 1.1, output: 5.5 },
  // Opus 5.5 in a us. profile: the regional price (the Claude API's $4/$20 plus AWS's 10%).
  'us.anthropic.claude-opus-5-5': { input: 4.4, output: 22 },
};

/** What an unpinned Bedrock route in us-east-1 lists: the verified models that are not retired there. */
const LISTED = [
  'claude-opus-5-5', 'claude-opus-4-6', 'claude-opus-4-5-20251101', 'claude-opus-4-1-20250805', 'claude-sonnet-4-6', 'claude-sonnet-4-5-20250929',
  'claude-sonnet-4-20250514', 'claude-3-7-sonnet-20250219', 'claude-haiku-4-5-20251001', 'claude-3-5-haiku-20241022',
];

interface Line {
  request: { id: string; method: string; uri: string };
  response: { status: number };
  ai?: { proxy: { meta: Record<string, string>; usage: Record<string, number | string>; error?: unknown } };
}

let stack: Stack;

beforeAll(async () => {
  for (const version of VERSIONS) installClaude(version);
  stack = await startStack({ example: catalogueExampleConfig });
}, 240_000);
afterAll(async () => stack?.stop());

/** The log lines written for the requests since `before` (file-log writes after the response). */
async function linesSince(before: number, count: number): Promise<Line[]> {
  return eventually(() => {
    const lines = stack.logLines().slice(before);
    return lines.length >= count ? (lines as unknown as Line[]) : undefined;
  }, `${count} log lines`);
}

/** Every model call was priced from the catalogue: cost = prompt × input + completion × output, per million. */
function expectCataloguePrice(line: Line): void {
  const proxy = line.ai!.proxy;
  const prices = PRICES[proxy.meta.request_model!];
  expect(prices, proxy.meta.request_model).toBeDefined();
  const usage = proxy.usage as Record<string, number>;
  expect(usage.cache_read_input_tokens).toBe(0);
  expect(usage.cache_creation_input_tokens).toBe(0);
  expect(usage.cost).toBeGreaterThan(0);
  expect(usage.cost).toBeCloseTo((usage.prompt_tokens! * prices!.input + usage.completion_tokens! * prices!.output) / 1e6, 12);
  expect(proxy.usage.cost_source).toBe('catalogue');
}

describe.each(VERSIONS)('Claude Code %s through one route with no model.name', (version) => {
  /** Runs a prompt; returns the model ids the emulator received for it (the main call is the one with `marker`). */
  async function ask(marker: string, options: Parameters<typeof runClaude>[3]) {
    const before = stack.emulator.received.length;
    const linesBefore = stack.logLines().length;
    const outcome = await runClaude(version, stack.gwUrl, `say hi [scenario:text] ${marker}`, options);
    const received = stack.emulator.received.slice(before);
    const lines = await linesSince(linesBefore, received.length);
    const main = received.find((r) => JSON.stringify(r.json).includes(marker));
    return { outcome, received, lines, main };
  }

  const opus = version === '2.0.37' ? { id: 'claude-opus-4-1-20250805', profile: OPUS_4_1 } : { id: 'claude-opus-4-6', profile: OPUS_4_6 };

  it(`Opus (--model opus, ANTHROPIC_DEFAULT_OPUS_MODEL=${opus.id}) reaches ${opus.profile}`, async () => {
    const { outcome, received, lines, main } = await ask('gw-opus', {
      env: { ANTHROPIC_MODEL: undefined, ANTHROPIC_DEFAULT_OPUS_MODEL: opus.id },
      args: ['--model', 'opus'],
    });
    expect(outcome.code, outcome.stdout + outcome.stderr).toBe(0);
    expect(outcome.result?.result).toContain('Hello from the Bedrock emulator.');
    expect(main?.modelId).toBe(opus.profile);
    expect(main?.signatureValid).toBe(true);
    // 2.0.37's warmups go to first-party Haiku and Sonnet ids: their profiles, not the main model.
    if (version === '2.0.37') expect(received.map((r) => r.modelId).sort()).toEqual([OPUS_4_1, HAIKU_4_5, SONNET_4_5].sort());
    else expect(received).toHaveLength(1);
    const mainLine = lines.find((l) => l.ai?.proxy.meta.request_model === opus.profile)!;
    expect(mainLine.ai!.proxy.meta.client_model).toBe(opus.id);
    for (const line of lines) expectCataloguePrice(line);
  }, RUN);

  it(`Sonnet (ANTHROPIC_MODEL=claude-sonnet-4-5, an alias) reaches ${SONNET_4_5}`, async () => {
    const { outcome, lines, main } = await ask('gw-sonnet', { env: { ANTHROPIC_MODEL: 'claude-sonnet-4-5' } });
    expect(outcome.code, outcome.stdout + outcome.stderr).toBe(0);
    expect(main?.modelId).toBe(SONNET_4_5);
    expect(lines.find((l) => l.ai?.proxy.meta.client_model === 'claude-sonnet-4-5')?.ai?.proxy.meta.request_model).toBe(SONNET_4_5);
    for (const line of lines) expectCataloguePrice(line);
  }, RUN);

  it(`Haiku (--model haiku, ANTHROPIC_DEFAULT_HAIKU_MODEL=claude-haiku-4-5-20251001) reaches ${HAIKU_4_5}`, async () => {
    const { outcome, lines, main } = await ask('gw-haiku', {
      env: { ANTHROPIC_MODEL: undefined, ANTHROPIC_DEFAULT_HAIKU_MODEL: 'claude-haiku-4-5-20251001' },
      args: ['--model', 'haiku'],
    });
    expect(outcome.code, outcome.stdout + outcome.stderr).toBe(0);
    expect(main?.modelId).toBe(HAIKU_4_5);
    for (const line of lines) expectCataloguePrice(line);
  }, RUN);

  if (version === '2.1.330') {
    it("its own default (claude-opus-5-5) reaches the us. profile its own Bedrock mode calls", async () => {
      const { outcome, main, lines } = await ask('gw-default', { env: { ANTHROPIC_MODEL: undefined } });
      expect(outcome.code, outcome.stdout + outcome.stderr).toBe(0);
      expect(main?.modelId).toBe('us.anthropic.claude-opus-5-5');
      for (const line of lines) expectCataloguePrice(line);
    }, RUN);

    it("discovers the route's models (CLAUDE_CODE_ENABLE_GATEWAY_MODEL_DISCOVERY): GET /v1/models?limit=1000 answered by gw", async () => {
      const linesBefore = stack.logLines().length;
      const { outcome, main } = await ask('gw-discovery', {
        env: { ANTHROPIC_MODEL: 'claude-haiku-4-5', CLAUDE_CODE_ENABLE_GATEWAY_MODEL_DISCOVERY: '1' },
      });
      expect(outcome.code, outcome.stdout + outcome.stderr).toBe(0);
      expect(main?.modelId).toBe(HAIKU_4_5);
      const listing = (await linesSince(linesBefore, 2)).find((l) => l.request.method === 'GET');
      expect(listing).toMatchObject({ request: { uri: '/anything/v1/models?limit=1000' }, response: { status: 200 } });
      expect(listing!.ai).toBeUndefined();
    }, RUN);
  }
});

describe('@anthropic-ai/sdk on a route with no model.name', () => {
  const client = () => new Anthropic({ baseURL: `${stack.gwUrl}/anything`, apiKey: 'sk-ant-sdk-test', maxRetries: 0 });

  it('models.list() pages through what the route serves (auto-pagination), newest first within each line', async () => {
    const ids: string[] = [];
    for await (const model of client().models.list({ limit: 2 })) ids.push(model.id);
    expect(ids).toEqual(LISTED);
    const first = await client().models.list({ limit: 2 });
    expect(first.data.map((m) => m.id)).toEqual(LISTED.slice(0, 2));
    expect(first.hasNextPage()).toBe(true);
    expect((await first.getNextPage()).data.map((m) => m.id)).toEqual(LISTED.slice(2, 4));
    const all = await client().models.list({ limit: 1000 });
    expect(all.has_more).toBe(false);
    expect(all.data.find((m) => m.id === 'claude-haiku-4-5-20251001')).toMatchObject({ type: 'model', display_name: 'Claude Haiku 4.5', created_at: '2025-10-01T00:00:00Z', lifecycle: 'active' });
  });

  it('models.retrieve() takes an id or an alias; an id the route does not serve is NotFoundError', async () => {
    expect(await client().models.retrieve('claude-sonnet-4-5')).toMatchObject({ id: 'claude-sonnet-4-5-20250929', display_name: 'Claude Sonnet 4.5' });
    expect((await client().models.retrieve('claude-opus-4-1-20250805')).id).toBe('claude-opus-4-1-20250805');
    const error = await client().models.retrieve('claude-sonnet-5-5').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.NotFoundError);
  });

  it('messages.create() with an alias reaches its profile, priced from the catalogue; an unknown id is a 400 naming what the route serves', async () => {
    const before = stack.emulator.received.length;
    const linesBefore = stack.logLines().length;
    const { data: message, response } = await client().messages.create({ model: 'claude-haiku-4-5', max_tokens: 64, messages: [{ role: 'user', content: 'hi [scenario:text]' }] }).withResponse();
    expect(stack.emulator.received[before]?.modelId).toBe(HAIKU_4_5);
    // Lines of earlier requests may still be landing (file-log writes after the response): this one, by its id.
    const id = response.headers.get('x-kong-request-id');
    const line = await eventually(() => (stack.logLines().slice(linesBefore) as unknown as Line[]).find((l) => l.request.id === id), `the log line of ${id}`);
    expectCataloguePrice(line!);
    // The client's own usage, at Haiku 4.5's regional prices: the same cost, worked out from what the SDK got.
    expect(line!.ai!.proxy.usage.cost).toBeCloseTo((message.usage.input_tokens * 1.1 + message.usage.output_tokens * 5.5) / 1e6, 12);

    const error = (await client().messages.create({ model: 'gpt-4o', max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e)) as InstanceType<typeof Anthropic.APIError>;
    expect(error).toBeInstanceOf(Anthropic.BadRequestError);
    expect(error.message).toContain(`model 'gpt-4o' is not served by this route; it serves: ${LISTED.slice(0, 4).join(', ')}, claude-opus-4-20250514, `);
    expect(error.message).toContain('and Bedrock model ids, inference profile ids and ARNs');
    expect(stack.emulator.received.length).toBe(before + 1);
  });
});
