import { describe, expect, it } from 'vitest';
import { GatewayError, renderErrorBody, anthropicTypeForStatus, ERROR_CATALOGUE } from './errors.js';

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
