import { describe, expect, it } from 'vitest';
import { aiResponseBody, aiResponseHeaders } from '../../../src/phases/response.js';
import { mapBedrockError, parseBedrockError, BEDROCK_ERROR_MAP } from '../../../src/backends/bedrock/errors.js';
import { anthropicErrorStatus, anthropicErrorType } from '../../../src/formats/anthropic/errors.js';
import { fakeCtx, fixtureJson, head, makeExchange, run, shown } from '../../support/response-harness.js';

/** The mapping in docs/errors.md, one row per Bedrock name: [name, HTTP status Bedrock sends, client status, Anthropic type]. */
const TABLE: [string, number, number, string][] = [
  ['ValidationException', 400, 400, 'invalid_request_error'],
  ['ConflictException', 400, 400, 'invalid_request_error'],
  ['ServiceQuotaExceededException', 400, 429, 'rate_limit_error'],
  ['AccessDeniedException', 403, 403, 'permission_error'],
  ['UnrecognizedClientException', 403, 403, 'permission_error'],
  ['InvalidSignatureException', 403, 403, 'permission_error'],
  ['ResourceNotFoundException', 404, 404, 'not_found_error'],
  ['ThrottlingException', 429, 429, 'rate_limit_error'],
  ['ModelNotReadyException', 429, 429, 'rate_limit_error'],
  ['ServiceUnavailableException', 503, 529, 'overloaded_error'],
  ['InternalServerException', 500, 500, 'api_error'],
  ['ModelTimeoutException', 408, 504, 'api_error'],
  ['ModelErrorException', 424, 502, 'api_error'],
  ['ModelStreamErrorException', 424, 502, 'api_error'],
  ['TeapotException', 418, 502, 'api_error'],
];

async function httpError(status: number, headers: Record<string, string>, body: string, overrides = {}) {
  const ctx = fakeCtx();
  const exchange = makeExchange(overrides);
  const response = head(status, { 'content-type': 'application/json', 'content-length': String(body.length), 'x-amzn-requestid': 'req-1', ...headers });
  aiResponseHeaders({ ctx, response, exchange });
  const out = await run(aiResponseBody({ ctx, response, exchange })!, [new TextEncoder().encode(body)]);
  return { response, exchange, out, json: JSON.parse(out) };
}

describe('Bedrock HTTP errors → Anthropic errors', () => {
  for (const [name, upstream, status, type] of TABLE) {
    for (const mode of ['stream', 'oneshot'] as const) {
      it(`${name} (${upstream}, ${mode}) → ${status} ${type}`, async () => {
        const message = `the ${name} message`;
        const { response, exchange, out, json } = await httpError(upstream, { 'x-amzn-errortype': `${name}:http://internal.amazon.com/coral/com.amazon.bedrock/` }, JSON.stringify({ message }), { mode });
        expect(response.status).toBe(status);
        expect(json).toEqual({ type: 'error', error: { type, message } });
        expect(response.headers['content-type']).toBe('application/json');
        expect(response.headers['content-length']).toBe(String(Buffer.byteLength(out)));
        expect(response.headers['x-amzn-errortype']).toBeUndefined();
        expect(response.headers['cache-control']).toBeUndefined();
        expect(shown(exchange)).toEqual({ status, type, message });
      });
    }
  }

  it('maps in-stream camelCase member names like the HTTP names', () => {
    for (const [name, , status, type] of TABLE.slice(0, -1)) {
      const mapped = { ...mapBedrockError(name[0]!.toLowerCase() + name.slice(1)), message: '' };
      expect({ status: anthropicErrorStatus(mapped), type: anthropicErrorType(mapped) }).toEqual({ status, type });
    }
    expect(Object.keys(BEDROCK_ERROR_MAP)).toEqual(expect.arrayContaining(TABLE.slice(0, -1).map(([name]) => name)));
  });

  it('never maps credential failures to 401', () => {
    for (const mapped of Object.values(BEDROCK_ERROR_MAP)) expect(mapped.status).not.toBe(401);
  });

  it('names errors like the AWS SDK does (aws-sdk-error-parsing-variants.json)', async () => {
    for (const variant of fixtureJson<any[]>('bedrock/aws-sdk-error-parsing-variants.json')) {
      const info = parseBedrockError(variant.sent.header, JSON.stringify(variant.sent.body));
      expect(info, variant.variant).toEqual({ name: variant.sdkName, message: variant.message });
    }
  });

  it('uses the upstream status when the type is unknown, else 502', async () => {
    expect((await httpError(429, {}, '{"message":"slow down"}')).response.status).toBe(429);
    expect((await httpError(400, {}, 'not json')).json).toEqual({ type: 'error', error: { type: 'invalid_request_error', message: 'upstream error without a message' } });
    expect((await httpError(500, {}, '')).response.status).toBe(502);
    expect((await httpError(503, {}, '<html>')).json.error.type).toBe('api_error');
  });

  it('never sends retry-after: 0 but keeps a real delay', async () => {
    const zero = await httpError(429, { 'x-amzn-errortype': 'ThrottlingException', 'retry-after': '0' }, '{"message":"x"}');
    expect(zero.response.headers['retry-after']).toBeUndefined();
    const real = await httpError(429, { 'x-amzn-errortype': 'ThrottlingException', 'retry-after': '3' }, '{"message":"x"}');
    expect(real.response.headers['retry-after']).toBe('3');
  });

  it('keeps the body split across chunks', async () => {
    const ctx = fakeCtx();
    const exchange = makeExchange();
    const response = head(403, { 'x-amzn-errortype': 'AccessDeniedException' });
    aiResponseHeaders({ ctx, response, exchange });
    const body = new TextEncoder().encode('{"Message":"You don\'t have access to the model with the specified model ID."}');
    const out = await run(aiResponseBody({ ctx, response, exchange })!, [body.subarray(0, 5), body.subarray(5, 6), body.subarray(6)]);
    expect(JSON.parse(out).error).toEqual({ type: 'permission_error', message: "You don't have access to the model with the specified model ID." });
  });

  it('never passes credentials from an AWS signature error to the client or the log', async () => {
    const token = 'IQoJb3JpZ2luX2VjEXAMPLESESSIONTOKEN';
    const message = 'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.'
      + `\n\nThe Canonical String for this request should have been\n'POST\n/model/m/invoke\n\nhost:bedrock-runtime.us-east-1.amazonaws.com\nx-amz-security-token:${token}\n'`;
    const { out, exchange, json } = await httpError(403, { 'x-amzn-errortype': 'InvalidSignatureException' }, JSON.stringify({ message }), { logPayloads: true });
    expect(out).not.toContain(token);
    expect(JSON.stringify(exchange)).not.toContain(token);
    expect(json.error).toEqual({ type: 'permission_error', message: message.split('\n\n')[0] });
    const inline = await httpError(403, { 'x-amzn-errortype': 'UnrecognizedClientException' }, JSON.stringify({ message: `bad x-amz-security-token: ${token} here` }));
    expect(inline.json.error.message).toBe('bad x-amz-security-token: REDACTED here');
  });
});
