/** The beta policy on Bedrock-native bodies: the Anthropic → Bedrock pair's allowlist, nothing else changed. */
import { describe, expect, it } from 'vitest';
import { parseNativeBody } from '../../../src/formats/bedrock/body.js';
import { toNativeBedrockBody } from '../../../src/translators/bedrock-bedrock/body.js';
import { joinBytes } from '../../../src/text/byte-text.js';
import { readFixture, type Capture } from '../../support/fixtures.js';

const HAIKU = 'us.anthropic.claude-haiku-4-5-20251001-v1:0';
const SONNET = 'us.anthropic.claude-sonnet-4-5-20250929-v1:0';

function body(operation: string, json: string, model = HAIKU) {
  return parseNativeBody(Buffer.from(json), { rawPath: `/model/${model}/${operation}`, path: `/model/${model}/${operation}`, uriCaptures: {} }, ['defer_loading', 'ttl', 'display', 'eager_input_streaming']);
}

function out(operation: string, json: string, model = HAIKU) {
  const parsed = body(operation, json, model);
  const result = toNativeBedrockBody(parsed, model);
  return { parsed, result, text: joinBytes(result.body).toString('utf8') };
}

describe('Bedrock-native body → Bedrock', () => {
  it("sends Claude Code's own Bedrock-mode bodies as their exact bytes (the same buffer)", () => {
    for (const file of ['bedrock/claude-code-bedrock-mode-2.1.330.full.json', 'bedrock/claude-code-bedrock-mode-2.0.37.full.json']) {
      for (const request of readFixture<Capture>(file).requests.filter((r) => r.method === 'POST' && r.body !== undefined)) {
        const operation = request.url.split('/').at(-1)!;
        const model = decodeURIComponent(request.url.split('/')[2]!);
        const { parsed, result } = out(operation, JSON.stringify(request.body), model);
        expect(result.body, `${file} ${request.url}`).toBe(parsed.bytes);
        expect(result.droppedBetas).toEqual([]);
      }
    }
  });

  it('drops flags Bedrock rejects and the fields they carry; renames, de-duplicates; other members keep their bytes', () => {
    const messages = '[{"role":"user","content":[{"type":"text","text":"h\\u00e9 ✓","cache_control":{"type":"ephemeral","ttl":"1h"}}]}]';
    const json = `{"anthropic_version":"bedrock-2023-05-31","max_tokens":9,"messages":${messages},"context_management":{"edits":[]},"thinking":{"type":"enabled","budget_tokens":5,"display":"omitted"},"anthropic_beta":["context-management-2025-06-27","advanced-tool-use-2025-11-20","tool-search-tool-2025-10-19","claude-code-20250219"]}`;
    const { result, text } = out('invoke', json, SONNET);
    expect(JSON.parse(text)).toEqual({
      anthropic_version: 'bedrock-2023-05-31',
      max_tokens: 9,
      messages: [{ role: 'user', content: [{ type: 'text', text: 'hé ✓', cache_control: { type: 'ephemeral' } }] }],
      thinking: { type: 'enabled', budget_tokens: 5 },
      anthropic_beta: ['tool-search-tool-2025-10-19'],
    });
    expect(result.betas).toEqual(['tool-search-tool-2025-10-19']);
    expect(result.droppedBetas).toEqual(['context-management-2025-06-27', 'claude-code-20250219']);
    expect(text).toContain('"anthropic_version":"bedrock-2023-05-31","max_tokens":9,');
  });

  it("keeps the policy's model exceptions: interleaved thinking is not sent for Haiku", () => {
    const json = '{"anthropic_version":"bedrock-2023-05-31","max_tokens":9,"messages":[],"anthropic_beta":["interleaved-thinking-2025-05-14"]}';
    expect(JSON.parse(out('invoke-with-response-stream', json, HAIKU).text)).not.toHaveProperty('anthropic_beta');
    expect(out('invoke-with-response-stream', json, SONNET).result.betas).toEqual(['interleaved-thinking-2025-05-14']);
  });

  it("leaves another model family's InvokeModel body alone (no anthropic_version: not gw's to read)", () => {
    const json = '{"prompt":"hi","max_gen_len":5,"context_management":{"x":1}}';
    const { parsed, result } = out('invoke', json, 'meta.llama3-70b-instruct-v1:0');
    expect(result.body).toBe(parsed.bytes);
  });

  it("applies the policy inside Converse's additionalModelRequestFields", () => {
    const json = '{"messages":[{"role":"user","content":[{"text":"hi"}]}],"additionalModelRequestFields":{"thinking":{"type":"enabled","budget_tokens":1024,"display":"omitted"},"anthropic_beta":["interleaved-thinking-2025-05-14","bogus-2030-01-01"]}}';
    const { result, text } = out('converse-stream', json, SONNET);
    expect(JSON.parse(text)).toEqual({
      messages: [{ role: 'user', content: [{ text: 'hi' }] }],
      additionalModelRequestFields: { thinking: { type: 'enabled', budget_tokens: 1024 }, anthropic_beta: ['interleaved-thinking-2025-05-14'] },
    });
    expect(result.droppedBetas).toEqual(['bogus-2030-01-01']);
    const kept = '{"messages":[],"additionalModelRequestFields":{"anthropic_beta":["interleaved-thinking-2025-05-14"]}}';
    const same = out('converse', kept, SONNET);
    expect(same.result.body).toBe(same.parsed.bytes);
  });

  it('passes CountTokens and Converse without model fields as they are', () => {
    const count = out('count-tokens', '{"input":{"invokeModel":{"body":"e30="}}}');
    expect(count.result.body).toBe(count.parsed.bytes);
    const converse = out('converse', '{"messages":[],"inferenceConfig":{"maxTokens":5}}');
    expect(converse.result.body).toBe(converse.parsed.bytes);
  });
});
