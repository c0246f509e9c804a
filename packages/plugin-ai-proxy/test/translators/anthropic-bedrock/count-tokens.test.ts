import { describe, expect, it } from 'vitest';
import { aiResponseBody, aiResponseHeaders, observationsOf } from '../../../src/phases/response.js';
import { fakeCtx, head, makeExchange, run, shown } from '../../support/response-harness.js';

async function countTokens(status: number, headers: Record<string, string>, body: string, overrides = {}) {
  const ctx = fakeCtx();
  const exchange = makeExchange({ kind: 'count_tokens', mode: 'oneshot', ...overrides });
  const response = head(status, { 'content-type': 'application/json', 'content-length': String(body.length), ...headers });
  aiResponseHeaders({ ctx, response, exchange });
  const out = await run(aiResponseBody({ ctx, response, exchange })!, [new TextEncoder().encode(body)]);
  return { response, exchange, out };
}

describe('count_tokens', () => {
  it('renames Bedrock inputTokens to input_tokens and fixes content-length', async () => {
    const { response, out, exchange } = await countTokens(200, {}, '{"inputTokens":1234}');
    expect(out).toBe('{"input_tokens":1234}');
    expect(response.status).toBe(200);
    expect(response.headers['content-length']).toBe(String(out.length));
    expect(observationsOf(exchange)?.tokensEstimated).toBe(false);
    expect(exchange.error).toBeUndefined();
  });

  it('answers the local estimate when Bedrock cannot count', async () => {
    const { response, out, exchange } = await countTokens(400, { 'x-amzn-errortype': 'ValidationException' },
      '{"message":"The provided model doesn\'t support counting tokens."}', { localTokenEstimate: 77 });
    expect(response.status).toBe(200);
    expect(out).toBe('{"input_tokens":77}');
    expect(response.headers['content-length']).toBe(String(out.length));
    expect(observationsOf(exchange)?.tokensEstimated).toBe(true);
    // The upstream failure is still recorded for the log.
    expect(shown(exchange)).toMatchObject({ status: 400, type: 'invalid_request_error' });
  });

  it('passes the mapped error on when there is no estimate', async () => {
    const { response, out } = await countTokens(404, { 'x-amzn-errortype': 'ResourceNotFoundException' }, '{"message":"Model not found."}');
    expect(response.status).toBe(404);
    expect(JSON.parse(out)).toEqual({ type: 'error', error: { type: 'not_found_error', message: 'Model not found.' } });
  });

  it('treats a 200 without inputTokens as a failure (estimate if possible)', async () => {
    expect((await countTokens(200, {}, '{"nope":1}', { localTokenEstimate: 5 })).out).toBe('{"input_tokens":5}');
    const failed = await countTokens(200, {}, '{"nope":1}');
    expect(failed.response.status).toBe(502);
    expect(JSON.parse(failed.out).error.type).toBe('api_error');
  });

  it('passes Anthropic count_tokens through untouched', async () => {
    const { response, out } = await countTokens(200, {}, '{"input_tokens":15}', { provider: 'anthropic' });
    expect(out).toBe('{"input_tokens":15}');
    expect(response.headers['content-length']).toBe('19');
  });
});
