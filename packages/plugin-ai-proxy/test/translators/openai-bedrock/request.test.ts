/**
 * Chat Completions request → Converse body: Kong's own fixture where Kong maps it, and each mapping and
 * refusal of fields.ts / messages.ts / tool-config.ts / thinking.ts. Every body built here must also pass the
 * Bedrock emulator's Converse validation (constraints, conversation rules, Anthropic's checks).
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { GatewayError } from '@gw/plugin-api';
import { validateConverseBody } from '@gw/bedrock-emulator';
import { parseChatBody } from '../../../src/formats/openai/body.js';
import { toConverseBody } from '../../../src/translators/openai-bedrock/request.js';
import type { ModelOptions } from '../../../src/config/types.js';
import { LOCAL_FIXTURES } from '../../support/response-harness.js';

const MODEL = 'us.anthropic.claude-haiku-4-5-20251001-v1:0';

function converse(request: object | string, options?: ModelOptions, model = MODEL) {
  const bytes = Buffer.from(typeof request === 'string' ? request : JSON.stringify(request));
  const built = toConverseBody(parseChatBody(bytes), model, options);
  const json = JSON.parse(built.body.toString('utf8')) as Record<string, any>;
  expect(validateConverseBody(json, model)).toBeUndefined();
  return { ...built, json };
}

function refusal(request: object, options?: ModelOptions, model = MODEL): GatewayError {
  try {
    toConverseBody(parseChatBody(Buffer.from(JSON.stringify(request))), model, options);
  } catch (error) {
    if (GatewayError.is(error)) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

const user = (content: unknown) => ({ role: 'user', content });
const kong = (path: string) => JSON.parse(readFileSync(new URL(`kong/master/unit/${path}`, LOCAL_FIXTURES), 'utf8'));

describe("Kong's fixture", () => {
  it("builds Kong's expected Converse body, without Kong's stray anthropic_version and with top_k, which Kong drops", () => {
    const options = { max_tokens: 8192, temperature: 0.8, top_p: 0.6, top_k: 1 };
    const { json } = converse(kong('requests/llm-v1-chat.json'), options, 'anthropic.claude-3-7-sonnet-20250219-v1:0');
    const { anthropic_version: _, ...expected } = kong('expected-requests/bedrock/llm-v1-chat.json');
    // Kong's body carries both sampling settings as configured; so does gw's (the configured values win).
    expect(json).toEqual({ ...expected, additionalModelRequestFields: { top_k: 1 } });
  });
});

describe('messages', () => {
  it('splices every text exactly as the client wrote it: escapes and non-ASCII bytes unchanged', () => {
    const text = 'héllo \\"quoted\\" \\u00e9 \\n 日本語 🎉';
    const raw = `{"model":"m","messages":[{"role":"user","content":"${text}"}]}`;
    const built = toConverseBody(parseChatBody(Buffer.from(raw)), MODEL, undefined);
    expect(built.body.toString('utf8')).toBe(`{"messages":[{"role":"user","content":[{"text":"${text}"}]}]}`);
  });

  it('system and developer messages become system blocks, wherever they are', () => {
    const { json } = converse({ messages: [{ role: 'system', content: 'one' }, user('hi'), { role: 'developer', content: [{ type: 'text', text: 'two' }] }] });
    expect(json.system).toEqual([{ text: 'one' }, { text: 'two' }]);
    expect(json.messages).toEqual([{ role: 'user', content: [{ text: 'hi' }] }]);
  });

  it('keeps every tool call (Kong OSS keeps the last), and puts the results of one turn in one user message', () => {
    const { json } = converse({
      messages: [
        user('do two things'),
        { role: 'assistant', content: 'on it', tool_calls: [
          { id: 'call_1', type: 'function', function: { name: 'Read', arguments: '{"path":"a"}' } },
          { id: 'call_2', type: 'function', function: { name: 'Read', arguments: '{"path":"b"}' } },
        ] },
        { role: 'tool', tool_call_id: 'call_1', content: 'A' },
        { role: 'tool', tool_call_id: 'call_2', content: '{"lines": 2}' },
        user('and now?'),
      ],
      tools: [{ type: 'function', function: { name: 'Read', parameters: { type: 'object', properties: { path: { type: 'string' } } } } }],
    });
    expect(json.messages).toEqual([
      { role: 'user', content: [{ text: 'do two things' }] },
      { role: 'assistant', content: [{ text: 'on it' }, { toolUse: { toolUseId: 'call_1', name: 'Read', input: { path: 'a' } } }, { toolUse: { toolUseId: 'call_2', name: 'Read', input: { path: 'b' } } }] },
      { role: 'user', content: [
        { toolResult: { toolUseId: 'call_1', content: [{ text: 'A' }] } },
        { toolResult: { toolUseId: 'call_2', content: [{ json: { lines: 2 } }] } },
        { text: 'and now?' },
      ] },
    ]);
  });

  it('merges consecutive user messages, drops empty texts and empty assistant turns', () => {
    const { json } = converse({ messages: [user('a'), user(''), { role: 'assistant', content: '' }, user([{ type: 'text', text: 'b' }])] });
    expect(json.messages).toEqual([{ role: 'user', content: [{ text: 'a' }, { text: 'b' }] }]);
  });

  it('rewrites tool call ids Converse would refuse, the same for the call and its result', () => {
    const { json } = converse({
      messages: [user('x'), { role: 'assistant', content: null, tool_calls: [{ id: 'call:0/1', type: 'function', function: { name: 'f', arguments: '' } }] }, { role: 'tool', tool_call_id: 'call:0/1', content: 'ok' }],
      tools: [{ type: 'function', function: { name: 'f' } }],
    });
    expect(json.messages[1].content[0].toolUse).toEqual({ toolUseId: 'call_0_1', name: 'f', input: {} });
    expect(json.messages[2].content[0].toolResult.toolUseId).toBe('call_0_1');
  });

  it('takes images and files as base64 data URLs, with their Converse format', () => {
    const png = Buffer.from('an image').toString('base64');
    const pdf = Buffer.from('%PDF-1.4').toString('base64');
    const { json } = converse({ messages: [user([
      { type: 'text', text: 'look' },
      { type: 'image_url', image_url: { url: `data:image/jpeg;base64,${png}`, detail: 'high' } },
      { type: 'file', file: { file_data: `data:application/pdf;base64,${pdf}`, filename: 'report (v2).pdf' } },
    ])] });
    expect(json.messages[0].content).toEqual([
      { text: 'look' },
      { image: { format: 'jpeg', source: { bytes: png } } },
      { document: { format: 'pdf', name: 'report (v2)', source: { bytes: pdf } } },
    ]);
  });

  it('turns cache_control marks into cachePoints after the marked block', () => {
    const { json } = converse({ messages: [
      { role: 'system', content: [{ type: 'text', text: 'big prompt', cache_control: { type: 'ephemeral' } }] },
      user([{ type: 'text', text: 'history', cache_control: { type: 'ephemeral' } }, { type: 'text', text: 'question' }]),
    ] });
    expect(json.system).toEqual([{ text: 'big prompt' }, { cachePoint: { type: 'default' } }]);
    expect(json.messages[0].content).toEqual([{ text: 'history' }, { cachePoint: { type: 'default' } }, { text: 'question' }]);
  });

  it('leaves out message members that carry nothing (a name, what an answer echoed back)', () => {
    const { json } = converse({ messages: [{ role: 'user', name: 'ann', content: 'x' }, { role: 'assistant', content: 'y', refusal: null, parsed: null, annotations: [] }, user('z')] });
    expect(json.messages.map((m: { content: unknown }) => m.content)).toEqual([[{ text: 'x' }], [{ text: 'y' }], [{ text: 'z' }]]);
  });

  it.each([
    [{ messages: [user([{ type: 'image_url', image_url: { url: 'https://example.com/a.png' } }])] }, 'messages[0].content[0].image_url.url', 'gw does not fetch URLs'],
    [{ messages: [user([{ type: 'image_url', image_url: { url: 'data:image/bmp;base64,AAAA' } }])] }, 'messages[0].content[0].image_url.url', "image type 'image/bmp'"],
    [{ messages: [user([{ type: 'input_audio', input_audio: { data: 'AAAA', format: 'wav' } }])] }, 'messages[0].content[0]', "no 'input_audio' content"],
    [{ messages: [user([{ type: 'file', file: { file_id: 'file-1' } }])] }, 'messages[0].content[0].file.file_id', 'file ids'],
    [{ messages: [user('x'), { role: 'assistant', content: null, function_call: { name: 'f', arguments: '{}' } }] }, 'messages[1].function_call', 'legacy functions'],
    [{ messages: [user('x'), { role: 'assistant', tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{not json' } }] }] }, 'messages[1].tool_calls[0].function.arguments', 'JSON object'],
    [{ messages: [{ role: 'tool', content: 'x' }] }, 'messages[0].tool_call_id', 'needs the id'],
    [{ messages: [{ role: 'robot', content: 'x' }] }, 'messages[0].role', "'robot' is not one of"],
    [{ messages: [{ role: 'system', content: 'only a system prompt' }] }, 'messages', 'needs a user message'],
  ])('refuses %j naming %s', (request, param, message) => {
    const error = refusal(request);
    expect(error.status).toBe(400);
    expect(error.param).toBe(param);
    expect(error.message).toContain(message);
  });
});

describe('tools and tool_choice', () => {
  const read = { type: 'function', function: { name: 'Read', description: 'Read a file', parameters: { type: 'object', properties: { path: { type: 'string' } } }, strict: true }, cache_control: { type: 'ephemeral' } };

  it.each([
    ['auto', { auto: {} }],
    ['required', { any: {} }],
    [{ type: 'function', function: { name: 'Read' } }, { tool: { name: 'Read' } }],
    [undefined, undefined],
  ])('tool_choice %j → %j', (choice, expected) => {
    const { json } = converse({ messages: [user('x')], tools: [read], ...(choice === undefined ? {} : { tool_choice: choice }) });
    expect(json.toolConfig).toEqual({
      tools: [{ toolSpec: { name: 'Read', description: 'Read a file', inputSchema: { json: { type: 'object', properties: { path: { type: 'string' } } } }, strict: true } }, { cachePoint: { type: 'default' } }],
      ...(expected === undefined ? {} : { toolChoice: expected }),
    });
  });

  it("none leaves the tools out, unless the history calls tools (Converse then requires them)", () => {
    expect(converse({ messages: [user('x')], tools: [read], tool_choice: 'none' }).json.toolConfig).toBeUndefined();
    const history = [user('x'), { role: 'assistant', tool_calls: [{ id: 'c1', type: 'function', function: { name: 'Read', arguments: '{}' } }] }, { role: 'tool', tool_call_id: 'c1', content: 'ok' }];
    expect(converse({ messages: history, tools: [read], tool_choice: 'none' }).json.toolConfig.toolChoice).toBeUndefined();
  });

  it('lists the tools a history calls when the request has none', () => {
    const { json } = converse({ messages: [user('x'), { role: 'assistant', tool_calls: [{ id: 'c1', type: 'function', function: { name: 'Grep', arguments: '{}' } }] }, { role: 'tool', tool_call_id: 'c1', content: 'ok' }] });
    expect(json.toolConfig.tools).toEqual([{ toolSpec: { name: 'Grep', description: 'A tool called earlier in this conversation.', inputSchema: { json: { type: 'object', properties: {} } } } }]);
  });

  it('splices each schema as the client wrote it', () => {
    const raw = `{"messages":[{"role":"user","content":"x"}],"tools":[{"type":"function","function":{"name":"f","description":"d\\u00e9","parameters":{ "type" : "object" , "properties":{}}}}]}`;
    const built = toConverseBody(parseChatBody(Buffer.from(raw)), MODEL, undefined);
    expect(built.body.toString()).toContain('{"toolSpec":{"name":"f","description":"d\\u00e9","inputSchema":{"json":{ "type" : "object" , "properties":{}}}}}');
  });

  it.each([
    [{ tools: [{ type: 'custom', custom: { name: 'x' } }] }, 'tools[0].type'],
    [{ tools: [read], tool_choice: { type: 'function', function: { name: 'Write' } } }, 'tool_choice.function.name'],
    [{ tools: [read], tool_choice: { type: 'allowed_tools', allowed_tools: { mode: 'auto', tools: [] } } }, 'tool_choice'],
    [{ tool_choice: 'required' }, 'tool_choice'],
  ])('refuses %j naming %s', (extra, param) => {
    expect(refusal({ messages: [user('x')], ...extra }).param).toBe(param);
  });
});

describe('sampling, limits, stop', () => {
  it('maps max_tokens, temperature and stop; max_completion_tokens wins; top_p 1 is left out', () => {
    expect(converse({ messages: [user('x')], max_tokens: 10, max_completion_tokens: 20, temperature: 0.2, top_p: 1, stop: 'END' }).json.inferenceConfig)
      .toEqual({ maxTokens: 20, temperature: 0.2, stopSequences: ['END'] });
    expect(converse({ messages: [user('x')], top_p: 0.5, stop: ['a', 'b'] }).json.inferenceConfig).toEqual({ topP: 0.5, stopSequences: ['a', 'b'] });
  });

  it("model.options override the request's as Kong applies them; a configured temperature removes the client's top_p", () => {
    expect(converse({ messages: [user('x')], max_tokens: 10, top_p: 0.5 }, { max_tokens: 100, temperature: 0.3 }).json.inferenceConfig).toEqual({ maxTokens: 100, temperature: 0.3 });
    expect(converse({ messages: [user('x')], temperature: 0.9 }, { top_p: 0.7 }).json.inferenceConfig).toEqual({ topP: 0.7 });
  });

  it.each([
    [{ temperature: 1.5 }, 'temperature'],
    [{ top_p: -1 }, 'top_p'],
    [{ max_tokens: 0 }, 'max_tokens'],
    [{ max_completion_tokens: 1.5 }, 'max_completion_tokens'],
    [{ stop: [1] }, 'stop'],
  ])('refuses %j naming %s', (extra, param) => {
    expect(refusal({ messages: [user('x')], ...extra }).param).toBe(param);
  });
});

describe('reasoning_effort', () => {
  it.each([
    ['minimal', 1024],
    ['low', 2048],
    ['medium', 8192],
    ['high', 16384],
  ])('%s is a thinking budget of %d, with room for the answer', (effort, budget) => {
    const { json } = converse({ messages: [user('x')], reasoning_effort: effort });
    expect(json.additionalModelRequestFields).toEqual({ thinking: { type: 'enabled', budget_tokens: budget } });
    expect(json.inferenceConfig.maxTokens).toBe(budget + 8192);
  });

  it("stays within the client's max tokens (which count the reasoning, as OpenAI's do)", () => {
    const { json } = converse({ messages: [user('x')], reasoning_effort: 'high', max_completion_tokens: 5000 });
    expect(json.additionalModelRequestFields.thinking.budget_tokens).toBe(4999);
    expect(json.inferenceConfig.maxTokens).toBe(5000);
    expect(refusal({ messages: [user('x')], reasoning_effort: 'low', max_completion_tokens: 1000 }).param).toBe('max_completion_tokens');
  });

  it('none turns it off; a configured temperature or top_k is skipped, not sent', () => {
    expect(converse({ messages: [user('x')], reasoning_effort: 'none' }).json.additionalModelRequestFields).toBeUndefined();
    const built = converse({ messages: [user('x')], reasoning_effort: 'low' }, { temperature: 0.2, top_k: 5 });
    expect(built.skippedOptions).toEqual(['temperature', 'top_k']);
    expect(built.json.inferenceConfig.temperature).toBeUndefined();
  });

  it("is left out inside a tool loop: Claude wants the turn's signed thinking back, which Chat Completions can't carry", () => {
    const loop = [user('x'), { role: 'assistant', tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{}' } }] }, { role: 'tool', tool_call_id: 'c1', content: 'ok' }];
    const built = converse({ messages: loop, reasoning_effort: 'high', tools: [{ type: 'function', function: { name: 'f' } }] });
    expect(built.thinking).toBeUndefined();
    expect(built.json.additionalModelRequestFields).toBeUndefined();
  });

  it.each([
    [{ reasoning_effort: 'high' }, 'anthropic.claude-3-5-sonnet-20241022-v2:0', 'reasoning_effort'],
    [{ reasoning_effort: 'high' }, 'amazon.nova-pro-v1:0', 'reasoning_effort'],
    [{ reasoning_effort: 'extreme' }, MODEL, 'reasoning_effort'],
    [{ reasoning_effort: 'low', temperature: 0.2 }, MODEL, 'temperature'],
    [{ reasoning_effort: 'low', top_p: 0.5 }, MODEL, 'top_p'],
    [{ reasoning_effort: 'low', tool_choice: 'required', tools: [{ type: 'function', function: { name: 'f' } }] }, MODEL, 'tool_choice'],
  ])('refuses %j on %s naming %s', (extra, model, param) => {
    expect(refusal({ messages: [user('x')], ...extra }, undefined, model).param).toBe(param);
  });

  it('applies to an application inference profile (its ARN does not say which model; Bedrock will)', () => {
    const arn = 'arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc123';
    expect(converse({ messages: [user('x')], reasoning_effort: 'low' }, undefined, arn).json.additionalModelRequestFields.thinking.budget_tokens).toBe(2048);
  });
});

describe('response_format and the field table', () => {
  it('json_schema is Converse structured output, the schema as a JSON string', () => {
    const schema = { type: 'object', properties: { a: { type: 'string' } }, required: ['a'], additionalProperties: false };
    const { json } = converse({ messages: [user('x')], response_format: { type: 'json_schema', json_schema: { name: 'thing', strict: true, schema } } });
    expect(json.outputConfig).toEqual({ textFormat: { type: 'json_schema', structure: { jsonSchema: { schema: JSON.stringify(schema), name: 'thing' } } } });
    expect(converse({ messages: [user('x')], response_format: { type: 'text' } }).json.outputConfig).toBeUndefined();
  });

  it('drops fields that only identify the caller or ask OpenAI to store something; include_usage is noted', () => {
    const built = converse({ messages: [user('x')], user: 'u1', seed: 7, store: true, metadata: { a: 'b' }, parallel_tool_calls: false, n: 1, logprobs: false, stream_options: { include_usage: true } });
    expect(Object.keys(built.json)).toEqual(['messages']);
    expect(built.includeUsage).toBe(true);
  });

  it.each([
    [{ n: 3 }, 'GW_ERR_AI_UNSUPPORTED_FIELD'],
    [{ presence_penalty: 0.1 }, 'GW_ERR_AI_UNSUPPORTED_FIELD'],
    [{ logit_bias: { 50256: -100 } }, 'GW_ERR_AI_UNSUPPORTED_FIELD'],
    [{ modalities: ['text', 'audio'] }, 'GW_ERR_AI_UNSUPPORTED_FIELD'],
    [{ service_tier: 'flex' }, 'GW_ERR_AI_UNSUPPORTED_FIELD'],
    [{ functions: [{ name: 'f' }] }, 'GW_ERR_AI_UNSUPPORTED_FIELD'],
    [{ verbosity: 'low' }, 'GW_ERR_AI_UNSUPPORTED_FIELD'],
    [{ response_format: { type: 'json_object' } }, 'GW_ERR_AI_UNSUPPORTED_FIELD'],
    [{ frobnicate: true }, 'GW_ERR_AI_UNKNOWN_FIELD'],
  ])('refuses %j with %s', (extra, code) => {
    const error = refusal({ messages: [user('x')], ...extra });
    expect(error.code).toBe(code);
    expect(error.param).toBe(Object.keys(extra)[0]);
  });
});
