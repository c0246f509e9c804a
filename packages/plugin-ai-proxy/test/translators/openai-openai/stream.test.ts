import { describe, expect, it } from 'vitest';
import { openaiSsePassthrough } from '../../../src/translators/openai-openai/stream.js';
import { openaiFormat } from '../../../src/formats/openai/index.js';
import { translatorFor } from '../../../src/translators/index.js';
import { fakeCtx, head, makeExchange, prng, randomSplits, run } from '../../support/response-harness.js';

const envelope = { id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o-mini-2024-07-18' };
const chunk = (delta: object, finish: string | null = null) => `data: ${JSON.stringify({ ...envelope, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }], usage: null })}\n\n`;
const USAGE = `data: ${JSON.stringify({ ...envelope, choices: [], usage: { prompt_tokens: 20, completion_tokens: 9, total_tokens: 29, prompt_tokens_details: { cached_tokens: 8 }, completion_tokens_details: { reasoning_tokens: 3 } } })}\n\n`;
const BODY = [chunk({ role: 'assistant', content: '' }), chunk({ content: 'Grüße 👋' }), chunk({ content: ' "usage":{ not really' }), chunk({}, 'stop'), USAGE, 'data: [DONE]\n\n'].join('');

const exchange = () => makeExchange({ translator: translatorFor('openai', 'openai', 'llm/v1/chat')!, format: openaiFormat, provider: 'openai', requestModel: 'gpt-4o-mini' });

describe('OpenAI SSE passthrough', () => {
  it('relays the bytes unchanged and reads usage, model and finish from them, whatever the boundaries', async () => {
    const bytes = Buffer.from(BODY, 'utf8');
    const random = prng(3);
    for (let round = 0; round < 30; round++) {
      const seen = exchange();
      const out = await run(openaiSsePassthrough(fakeCtx(), head(200), seen, false), round === 0 ? [bytes] : randomSplits(bytes, random, 1 + Math.floor(random() * 25)));
      expect(out).toBe(BODY);
      expect(seen.usage).toEqual({ input: 12, output: 9, cacheRead: 8, cacheWrite: 0, reasoning: 3 });
      expect(seen.responseModel).toBe('gpt-4o-mini-2024-07-18');
      expect(seen.responseId).toBe('chatcmpl-1');
      expect(seen.finishReasons).toEqual(['stop']);
      expect(seen.error).toBeUndefined();
    }
  });

  it('takes out the usage chunk gw asked for, and only it', async () => {
    const bytes = Buffer.from(BODY, 'utf8');
    const random = prng(9);
    for (let round = 0; round < 30; round++) {
      const seen = exchange();
      const out = await run(openaiSsePassthrough(fakeCtx(), head(200), seen, true), randomSplits(bytes, random, 1 + Math.floor(random() * 25)));
      expect(out).toBe(BODY.replace(USAGE, ''));
      expect(seen.usage.output).toBe(9);
    }
  });

  it('an upstream that ends before [DONE] gets an error event and a broken stream', async () => {
    const seen = exchange();
    const state: { errored?: unknown } = {};
    const out = await run(openaiSsePassthrough(fakeCtx(), head(200), seen, false), [Buffer.from(BODY.slice(0, BODY.indexOf('data: {', 10)))], state);
    expect(out).toContain('data: {"error"');
    expect(state.errored).toBeDefined();
    expect(seen.error?.status).toBe(502);
  });

  it('an error event is relayed whole, even when the upstream never sends its closing blank line; then the stream breaks', async () => {
    for (const strip of [false, true]) {
      const seen = exchange();
      const state: { errored?: unknown } = {};
      const error = 'data: {"error":{"message":"The server had an error","type":"server_error","param":null,"code":null}}\n';
      const out = await run(openaiSsePassthrough(fakeCtx(), head(200), seen, strip), [Buffer.from(chunk({ role: 'assistant', content: '' }) + error)], state);
      expect(out.endsWith(`${error}\n`)).toBe(true);
      expect(state.errored).toBeDefined();
      expect(seen.error).toMatchObject({ status: 500, kind: 'server', message: 'The server had an error' });
    }
  });
});
