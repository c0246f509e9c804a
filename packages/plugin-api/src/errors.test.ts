import { describe, expect, it } from 'vitest';
import { GatewayError, renderErrorBody, anthropicTypeForStatus, bedrockErrorTypeForStatus, defineErrorCodes, errorCatalogue, errorHeaders, ERROR_CATALOGUE } from './errors.js';

describe('error catalogue', () => {
  it('fills message parameters and keeps the catalogue status', () => {
    const err = new GatewayError('GW_ERR_AI_MODEL_MISMATCH', { params: { model: 'us.anthropic.claude-haiku' } });
    expect(err.message).toBe('cannot use own model - must be: us.anthropic.claude-haiku');
    expect(err.status).toBe(400);
    expect(err.anthropicType).toBe('invalid_request_error');
    expect(GatewayError.is(err)).toBe(true);
    expect(GatewayError.is(new Error('x'))).toBe(false);
  });

  it('renders each client format', () => {
    expect(JSON.parse(renderErrorBody('kong', 404, ERROR_CATALOGUE.GW_ERR_NO_ROUTE.message))).toEqual({
      message: 'no Route matched with those values',
    });
    expect(JSON.parse(renderErrorBody('anthropic', 529, 'Overloaded'))).toEqual({
      type: 'error',
      error: { type: 'overloaded_error', message: 'Overloaded' },
    });
    expect(JSON.parse(renderErrorBody('openai', 429, 'slow down'))).toEqual({
      error: { message: 'slow down', type: 'rate_limit_error', param: null, code: 'rate_limit_exceeded' },
    });
  });

  it("names the faulty field in OpenAI's param", () => {
    const err = new GatewayError('GW_ERR_AI_UNSUPPORTED_FIELD', { params: { field: 'n', reason: 'one choice only' }, param: 'n' });
    expect(err.param).toBe('n');
    expect(JSON.parse(renderErrorBody('openai', err.status, err.message, err.anthropicType, err.param))).toEqual({
      error: { message: "'n' is not supported on this route: one choice only", type: 'invalid_request_error', param: 'n', code: null },
    });
    // Anthropic's shape has no place for it.
    expect(JSON.parse(renderErrorBody('anthropic', 400, 'x', undefined, 'n'))).toEqual({ type: 'error', error: { type: 'invalid_request_error', message: 'x' } });
  });

  it('renders Bedrock errors as Bedrock does: {"message"} with the type in x-amzn-errortype', () => {
    expect(JSON.parse(renderErrorBody('bedrock', 401, 'No API key found in request'))).toEqual({ message: 'No API key found in request' });
    expect(errorHeaders('bedrock', 401)).toEqual({ 'x-amzn-errortype': 'AccessDeniedException' });
    expect(errorHeaders('anthropic', 401)).toBeUndefined();
    expect(errorHeaders('kong', 401)).toBeUndefined();
    // The AWS SDK retries these names (and 5xx statuses); it does not retry the 4xx ones.
    expect([400, 413, 403, 404, 405, 408, 429, 500, 502, 503, 504, 418, 505].map(bedrockErrorTypeForStatus)).toEqual([
      'ValidationException', 'ValidationException', 'AccessDeniedException', 'UnknownOperationException', 'UnknownOperationException',
      'RequestTimeoutException', 'ThrottlingException', 'InternalServerException', 'ServiceUnavailableException',
      'ServiceUnavailableException', 'ServiceUnavailableException', 'ValidationException', 'InternalServerException',
    ]);
  });

  it('maps statuses to the Anthropic types Claude Code retries on', () => {
    expect(anthropicTypeForStatus(413)).toBe('request_too_large');
    expect(anthropicTypeForStatus(502)).toBe('api_error');
    expect(anthropicTypeForStatus(429)).toBe('rate_limit_error');
  });

  it('every catalogue code has a status and a message', () => {
    for (const [code, entry] of Object.entries(ERROR_CATALOGUE)) {
      expect(code).toMatch(/^GW_ERR_[A-Z_]+$/);
      expect(entry.status).toBeGreaterThanOrEqual(400);
      expect(entry.message.length).toBeGreaterThan(0);
    }
  });
});

describe("plugins' own error codes", () => {
  const codes = defineErrorCodes('spend-alarm', {
    SPEND_ALARM_OVER_BUDGET: { status: 402, message: 'over the budget of {budget} USD' },
    SPEND_ALARM_SLOW_DOWN: { status: 429, message: 'slow down', anthropicType: 'rate_limit_error' },
  });

  it('become GatewayErrors with their status, message and type', () => {
    const err = new GatewayError(codes.SPEND_ALARM_OVER_BUDGET, { params: { budget: 5 } });
    expect(err.code).toBe('SPEND_ALARM_OVER_BUDGET');
    expect(err.status).toBe(402);
    expect(err.message).toBe('over the budget of 5 USD');
    expect(err.anthropicType).toBe('invalid_request_error');
    expect(new GatewayError(codes.SPEND_ALARM_SLOW_DOWN).anthropicType).toBe('rate_limit_error');
    // Another status drops the code's own type.
    expect(new GatewayError(codes.SPEND_ALARM_SLOW_DOWN, { status: 503 }).anthropicType).toBe('api_error');
  });

  it('join the catalogue, after gw\'s own codes', () => {
    const rows = errorCatalogue();
    expect(rows.find((r) => r.code === 'GW_ERR_NO_ROUTE')).toMatchObject({ owner: 'gw', status: 404 });
    expect(rows.find((r) => r.code === 'SPEND_ALARM_OVER_BUDGET')).toMatchObject({ owner: 'spend-alarm', status: 402 });
    expect(rows.findIndex((r) => r.code === 'SPEND_ALARM_OVER_BUDGET')).toBeGreaterThan(rows.findIndex((r) => r.code === 'GW_ERR_NO_ROUTE'));
  });

  it('may be defined again identically (a second copy of the package), never differently or by another plugin', () => {
    expect(defineErrorCodes('spend-alarm', { SPEND_ALARM_SLOW_DOWN: { status: 429, message: 'slow down', anthropicType: 'rate_limit_error' } }).SPEND_ALARM_SLOW_DOWN).toBe(codes.SPEND_ALARM_SLOW_DOWN);
    expect(() => defineErrorCodes('spend-alarm', { SPEND_ALARM_SLOW_DOWN: { status: 503, message: 'slow down' } })).toThrow(/already defined by spend-alarm/);
    expect(() => defineErrorCodes('other-plugin', { SPEND_ALARM_OVER_BUDGET: { status: 402, message: 'x' } })).toThrow(/already defined by spend-alarm/);
  });

  it("refuses gw's prefix, codes without a prefix, and statuses that are not errors", () => {
    expect(() => defineErrorCodes('x', { GW_ERR_MINE: { status: 400, message: 'x' } })).toThrow(/GW_ERR_/);
    expect(() => defineErrorCodes('x', { OOPS: { status: 400, message: 'x' } })).toThrow(/UPPER_SNAKE_CASE with a prefix/);
    expect(() => defineErrorCodes('x', { X_OK: { status: 200, message: 'x' } })).toThrow(/400-599/);
    expect(() => defineErrorCodes('x', { X_EMPTY: { status: 400, message: '' } })).toThrow(/non-empty/);
  });
});
