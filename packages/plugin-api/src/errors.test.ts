import { describe, expect, it } from 'vitest';
import { GatewayError, renderErrorBody, anthropicTypeForStatus, bedrockErrorTypeForStatus, errorHeaders, ERROR_CATALOGUE } from './errors.js';

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
    expect(JSON.parse(renderErrorBody('openai', 429, 'slow down')).error.type).toBe('rate_limit_error');
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
