import { describe, expect, it } from 'vitest';
import { GatewayError } from '@gw/plugin-api';
import { aiErrorOf, kindForStatus } from '../src/errors.js';
import { takeBedrockError } from '../src/backends/bedrock/errors.js';
import { anthropicErrorBody, anthropicErrorEvent, anthropicErrorOf, anthropicErrorStatus, anthropicErrorType } from '../src/formats/anthropic/errors.js';

describe('the neutral error', () => {
  it('Bedrock maps its errors to kinds with its own status; the Anthropic format shows them as Anthropic does', () => {
    const headers: Record<string, string> = { 'x-amzn-errortype': 'ServiceUnavailableException:http://internal.amazon.com/coral/' };
    const { error, upstreamType } = takeBedrockError(503, headers, '{"message":"Bedrock is unable to process your request."}');
    expect(error).toEqual({ status: 503, kind: 'overloaded', message: 'Bedrock is unable to process your request.' });
    expect(upstreamType).toBe('ServiceUnavailableException');
    expect(headers).toEqual({});
    expect([anthropicErrorStatus(error), anthropicErrorType(error)]).toEqual([529, 'overloaded_error']);
    expect(JSON.parse(anthropicErrorBody(error))).toEqual({ type: 'error', error: { type: 'overloaded_error', message: error.message } });
    expect(anthropicErrorEvent(error).toString()).toBe(`event: error\ndata: ${anthropicErrorBody(error)}\n\n`);
  });

  it('reads Anthropic error objects back: known types by name, others by the status they came with', () => {
    expect(anthropicErrorOf({ type: 'rate_limit_error', message: 'slow' })).toEqual({ status: 429, kind: 'rate_limited', message: 'slow' });
    expect(anthropicErrorOf({ type: 'overloaded_error', message: 'Overloaded' }, 529)).toEqual({ status: 529, kind: 'overloaded', message: 'Overloaded' });
    expect(anthropicErrorOf({ type: 'billing_error', message: 'pay' }, 402)).toEqual({ status: 402, kind: 'invalid_request', message: 'pay' });
    expect(anthropicErrorOf(undefined)).toEqual({ status: 500, kind: 'server', message: '' });
    for (const type of ['invalid_request_error', 'authentication_error', 'permission_error', 'not_found_error', 'request_too_large', 'rate_limit_error', 'api_error', 'overloaded_error']) {
      expect(anthropicErrorType(anthropicErrorOf({ type, message: '' }))).toBe(type);
    }
  });

  it('kinds by status, and gw errors raised on the response path', () => {
    expect([400, 401, 403, 404, 413, 429, 503, 529, 500, 502, 418].map(kindForStatus)).toEqual([
      'invalid_request', 'authentication', 'permission', 'not_found', 'too_large', 'rate_limited', 'overloaded', 'overloaded', 'server', 'server', 'invalid_request',
    ]);
    expect(aiErrorOf(new GatewayError('GW_ERR_AI_STREAM_TRUNCATED'))).toEqual({ status: 502, kind: 'server', message: 'upstream stream ended in the middle of an event' });
  });
});
