/**
 * Kong's own driver fixtures for the OpenAI-format pairs (test/fixtures/kong, byte-exact copies): the
 * request and answer Kong's unit tests feed its anthropic and openai drivers, with Kong's test config
 * (max_tokens 512, temperature 0.5; top_p 1 for anthropic). gw must send what Kong sends, in the backend's own shape,
 * and answer what Kong answers, with the differences docs/kong-differences.md lists.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseChatBody } from '../../../src/formats/openai/body.js';
import { toMessagesBody } from '../../../src/translators/openai-anthropic/request.js';
import { messageToCompletion } from '../../../src/translators/openai-anthropic/response.js';
import { planChat } from '../../../src/translators/openai-openai/request.js';
import { openaiFormat } from '../../../src/formats/openai/index.js';
import { translatorFor } from '../../../src/translators/index.js';
import { joinBytes } from '../../../src/text/byte-text.js';
import type { AiProxyConfig } from '../../../src/config/types.js';
import type { PlanInput } from '../../../src/translators/translator.js';
import type { ChatBody } from '../../../src/formats/openai/body.js';
import { LOCAL_FIXTURES, fakeCtx, head, makeExchange, run } from '../../support/response-harness.js';

const raw = (path: string) => readFileSync(new URL(`kong/master/unit/${path}`, LOCAL_FIXTURES));
const kong = (path: string) => JSON.parse(raw(path).toString('utf8'));
/** Kong's unit test config per provider. */
const ANTHROPIC_OPTIONS = { max_tokens: 512, temperature: 0.5, top_p: 1 };
const OPENAI_OPTIONS = { max_tokens: 512, temperature: 0.5 };

type Block = { type: string; text: string };
const textOf = (content: Block[]) => content.map((block) => block.text).join('');

describe("Kong's fixtures, OpenAI format", () => {
  it('→ Anthropic: the Messages body Kong makes, in Anthropic\'s block shape, without `stream: false`', () => {
    const body = JSON.parse(toMessagesBody(parseChatBody(raw('requests/llm-v1-chat.json')), 'claude-2.1', false, ANTHROPIC_OPTIONS).toString('utf8'));
    const expected = kong('expected-requests/anthropic/llm-v1-chat.json');
    // Kong writes strings; gw writes text blocks (what Anthropic documents), so `cache_control` can ride on them.
    const asKong = {
      ...body,
      system: textOf(body.system),
      messages: body.messages.map((m: { role: string; content: Block[] }) => ({ role: m.role, content: textOf(m.content) })),
    };
    delete expected.stream;
    expect(asKong).toEqual(expected);
  });

  it('→ OpenAI: Kong\'s body (model, max_tokens, temperature), the client\'s bytes otherwise', () => {
    const config = { model: { provider: 'openai', name: 'gpt-4', options: OPENAI_OPTIONS }, auth: {} } as unknown as AiProxyConfig;
    const chat = parseChatBody(raw('requests/llm-v1-chat.json'));
    const planned = planChat({ config, model: 'gpt-4', stream: false, body: chat, request: { query: '', headers: {} } } as unknown as PlanInput<ChatBody>);
    const body = JSON.parse(joinBytes(planned.sent).toString('utf8'));
    const expected = kong('expected-requests/openai/llm-v1-chat.json');
    // Kong writes `stream: false` into every body; gw leaves `stream` out, as the client did.
    delete expected.stream;
    expect(body).toEqual(expected);
  });

  it("Anthropic's answer → the chat.completion Kong makes, with OpenAI's finish_reason", async () => {
    const exchange = makeExchange({ translator: translatorFor('openai', 'anthropic', 'llm/v1/chat')!, format: openaiFormat, provider: 'anthropic', mode: 'oneshot', requestModel: 'claude-2.1' });
    const out = JSON.parse(await run(messageToCompletion(fakeCtx(), head(200), exchange), [raw('real-responses/anthropic/llm-v1-chat.json')]));
    const expected = kong('expected-responses/anthropic/llm-v1-chat.json');
    expect(out).toMatchObject({ ...expected, choices: [{ ...expected.choices[0], finish_reason: 'stop' }] });
    expect(exchange.finishReasons).toEqual(['stop_sequence']);
    expect(out.usage).toMatchObject({ prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 });
  });
});
