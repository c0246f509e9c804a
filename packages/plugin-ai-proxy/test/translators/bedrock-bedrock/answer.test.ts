/** Bedrock's non-streaming answers and errors, as a Bedrock-native client gets them. */
import { describe, expect, it } from 'vitest';
import { aiResponseBody, aiResponseHeaders } from '../../../src/phases/response.js';
import { observationsOf } from '../../../src/phases/observations.js';
import { fakeCtx, head, run, shown } from '../../support/response-harness.js';
import { nativeExchange } from './support.js';

async function answer(status: number, headers: Record<string, string>, body: string, overrides = {}) {
  const ctx = fakeCtx();
  const exchange = nativeExchange({ mode: 'oneshot', ...overrides });
  const response = head(status, headers);
  aiResponseHeaders({ ctx, response, exchange });
  const text = await run(aiResponseBody({ ctx, response, exchange })!, [Buffer.from(body)]);
  return { exchange, response, text };
}

const message = {
  id: 'msg_bdrk_01', type: 'message', role: 'assistant', model: 'claude-haiku-4-5-20251001',
  content: [{ type: 'text', text: 'hi' }], stop_reason: 'end_turn', stop_sequence: null,
  usage: { input_tokens: 21, output_tokens: 3, cache_read_input_tokens: 100, cache_creation_input_tokens: 7 },
};

describe('Bedrock answers relayed to a Bedrock-native client', () => {
  it("passes InvokeModel's answer and head on unchanged and reads a Claude answer's usage", async () => {
    const headers = { 'content-type': 'application/json', 'x-amzn-requestid': 'r-1', 'x-amzn-bedrock-input-token-count': '128', 'x-amzn-bedrock-output-token-count': '3', 'x-amzn-bedrock-invocation-latency': '40' };
    const { exchange, response, text } = await answer(200, headers, JSON.stringify(message));
    expect(text).toBe(JSON.stringify(message));
    expect(response.status).toBe(200);
    expect(response.headers).toMatchObject({ 'x-amzn-bedrock-input-token-count': '128', 'x-amzn-bedrock-invocation-latency': '40', 'x-amzn-requestid': 'r-1' });
    expect(exchange.usage).toEqual({ input: 21, output: 3, cacheRead: 100, cacheWrite: 7 });
    expect(exchange).toMatchObject({ responseModel: 'claude-haiku-4-5-20251001', responseId: 'msg_bdrk_01', finishReasons: ['end_turn'] });
    expect(observationsOf(exchange)).toMatchObject({ promptReported: true, finalOutputReported: true, bodyEnded: true });
  });

  it("counts another model's answer from Bedrock's token-count headers", async () => {
    const headers = { 'content-type': 'application/json', 'x-amzn-bedrock-input-token-count': '12', 'x-amzn-bedrock-output-token-count': '5' };
    const { exchange } = await answer(200, headers, '{"generation":"Hello there","prompt_token_count":12,"generation_token_count":5,"stop_reason":"stop"}', { requestModel: 'meta.llama3-70b-instruct-v1:0' });
    expect(exchange.usage).toEqual({ input: 12, output: 5, cacheRead: 0, cacheWrite: 0 });
  });

  it("reads Converse's answer: usage with cache counts and the stop reason", async () => {
    const body = { output: { message: { role: 'assistant', content: [{ text: 'hi' }] } }, stopReason: 'end_turn', usage: { inputTokens: 9, outputTokens: 2, totalTokens: 31, cacheReadInputTokens: 20 }, metrics: { latencyMs: 80 } };
    const { exchange, text } = await answer(200, { 'content-type': 'application/json' }, JSON.stringify(body));
    expect(JSON.parse(text)).toEqual(body);
    expect(exchange.usage).toEqual({ input: 9, output: 2, cacheRead: 20, cacheWrite: 0 });
    expect(exchange.finishReasons).toEqual(['end_turn']);
  });

  it("records CountTokens' count", async () => {
    const { exchange, text } = await answer(200, { 'content-type': 'application/json' }, '{"inputTokens":42}', { kind: 'count_tokens' });
    expect(text).toBe('{"inputTokens":42}');
    expect(observationsOf(exchange)!.countedTokens).toBe(42);
  });

  it("answers Bedrock's errors in Bedrock's shape with Bedrock's name and status (no mapping: the SDK retries by them)", async () => {
    const cases: [number, string, number][] = [
      [400, 'ValidationException', 400],
      [400, 'ServiceQuotaExceededException', 400],
      [408, 'ModelTimeoutException', 408],
      [424, 'ModelErrorException', 424],
      [429, 'ThrottlingException', 429],
      [429, 'ModelNotReadyException', 429],
      [503, 'ServiceUnavailableException', 503],
    ];
    for (const [status, type, expected] of cases) {
      const { exchange, response, text } = await answer(status, { 'content-type': 'application/json', 'x-amzn-errortype': `${type}:http://internal.amazon.com/coral/com.amazon.bedrock/`, 'x-amzn-requestid': 'r-2' }, '{"message":"it failed"}');
      expect(response.status, type).toBe(expected);
      expect(response.headers['x-amzn-errortype']).toBe(type);
      expect(response.headers['x-amzn-requestid']).toBe('r-2');
      expect(JSON.parse(text)).toEqual({ message: 'it failed' });
      expect(shown(exchange)).toEqual({ status: expected, type, message: 'it failed' });
    }
  });

  it("never relays what an AWS signature error echoes (gw's own canonical request)", async () => {
    const leaky = 'The request signature we calculated does not match the signature you provided.\n\nThe Canonical String for this request should have been\n\'POST\n/model/x/invoke\n\nx-amz-security-token:GATEWAYSESSIONTOKEN\'';
    const { text, response } = await answer(403, { 'x-amzn-errortype': 'InvalidSignatureException' }, JSON.stringify({ message: leaky }));
    expect(text).not.toContain('GATEWAYSESSIONTOKEN');
    expect(JSON.parse(text)).toEqual({ message: 'The request signature we calculated does not match the signature you provided.' });
    expect(response.headers['x-amzn-errortype']).toBe('InvalidSignatureException');
  });

  it('names an error Bedrock did not name by its status', async () => {
    const { response, text } = await answer(500, { 'content-type': 'text/html' }, '<html>oops</html>');
    expect(response.status).toBe(500);
    expect(response.headers['x-amzn-errortype']).toBe('InternalServerException');
    expect(JSON.parse(text)).toEqual({ message: 'upstream error without a message' });
    const throttled = await answer(429, {}, '');
    expect(throttled.response.headers['x-amzn-errortype']).toBe('ThrottlingException');
  });
});
