/** The OpenAI client format on its own: which paths it serves, what a body must be, how errors look. */
import { describe, expect, it } from 'vitest';
import { GatewayError } from '@gw/plugin-api';
import { classifyRoute } from '../../../src/formats/openai/route.js';
import { parseChatBody } from '../../../src/formats/openai/body.js';
import { readMessages } from '../../../src/formats/openai/messages.js';
import { openaiFormat } from '../../../src/formats/openai/index.js';
import type { ErrorKind } from '../../../src/errors.js';

function thrown(run: () => unknown): GatewayError {
  try {
    run();
  } catch (error) {
    if (GatewayError.is(error)) return error;
    throw error;
  }
  throw new Error('expected a GatewayError');
}

const body = (text: string) => parseChatBody(Buffer.from(text));

describe('OpenAI format routes', () => {
  it.each(['/openai/v1/chat/completions', '/v1/chat/completions', '/team-a/chat/completions', '/x/v1/chat/completions/'])('%s is chat', (path) => {
    expect(classifyRoute('POST', path)).toBe('chat');
  });

  it('anything else is a 404 naming what the route serves; another method a 405 with Allow', () => {
    expect(thrown(() => classifyRoute('POST', '/v1/models')).message).toBe('this route serves only /v1/chat/completions');
    const wrong = thrown(() => classifyRoute('GET', '/v1/chat/completions'));
    expect(wrong.status).toBe(405);
    expect(wrong.headers).toEqual({ allow: 'POST' });
  });
});

describe('OpenAI format bodies', () => {
  it('reads model and stream, keeps messages and tools raw, parses the rest', () => {
    const parsed = body('{"model":"m","stream":true,"messages":[{"role":"user","content":"hi"}],"temperature":0.5,"tools":[]}');
    expect(parsed.model).toBe('m');
    expect(parsed.stream).toBe(true);
    expect(parsed.fields.get('temperature')).toBe(0.5);
    expect(parsed.fields.has('messages')).toBe(false);
    expect(parsed.members.get('messages')).toBe('[{"role":"user","content":"hi"}]');
  });

  it.each([
    ['not JSON', 'GW_ERR_AI_INVALID_BODY', undefined],
    ['{"model":"m"}', 'GW_ERR_AI_INVALID_BODY', undefined],
    ['{"messages":[]}', 'GW_ERR_AI_INVALID_BODY', undefined],
    ['{"messages":[{"role":"user","content":"a"}],"model":1}', 'GW_ERR_AI_INVALID_FIELD', 'model'],
    ['{"messages":[{"role":"user","content":"a"}],"stream":"yes"}', 'GW_ERR_AI_INVALID_FIELD', 'stream'],
    ['{"messages":[{"role":"user","content":"a"}],"model":"a","model":"b"}', 'GW_ERR_AI_DUPLICATE_KEY', 'model'],
  ])('%s → %s', (text, code, param) => {
    const error = thrown(() => body(text));
    expect(error.code).toBe(code);
    expect(error.status).toBe(400);
    expect(error.param).toBe(param);
  });

  it('reads message parts with their paths; text stays the literal the client wrote', () => {
    const [message] = readMessages('[{"role":"user","content":[{"type":"text","text":"caf\\u00e9"},{"type":"image_url","image_url":{"url":"data:image/png;base64,QUJD"}}]}]');
    expect(message!.parts).toEqual([
      { kind: 'text', path: 'messages[0].content[0]', text: '"caf\\u00e9"', cache: false },
      { kind: 'image', path: 'messages[0].content[1].image_url.url', mediaType: 'image/png', base64: 'QUJD', cache: false },
    ]);
  });
});

describe('OpenAI format errors', () => {
  it.each([
    ['invalid_request', 400, 400, 'invalid_request_error'],
    ['permission', 403, 403, 'permission_error'],
    ['not_found', 404, 404, 'not_found_error'],
    ['rate_limited', 429, 429, 'rate_limit_error'],
    ['overloaded', 503, 503, 'server_error'],
    ['server', 502, 502, 'server_error'],
    ['server', 504, 504, 'server_error'],
  ])('%s (%d) is %d %s', (kind, status, shown, type) => {
    const error = { kind: kind as ErrorKind, status, message: 'm' };
    expect(openaiFormat.errorStatus(error)).toBe(shown);
    expect(openaiFormat.errorType(error)).toBe(type);
    expect(JSON.parse(openaiFormat.errorBody(error)).error).toMatchObject({ message: 'm', type, param: null });
  });
});
