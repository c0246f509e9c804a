import { describe, expect, it } from 'vitest';
import { eventType, sseEvent } from '../../../src/formats/anthropic/sse.js';

describe('event type', () => {
  const type = (json: string) => eventType(Buffer.from(json));
  it('reads a leading type from the bytes, known or not', () => {
    expect(type('{"type":"content_block_delta","index":0}')).toBe('content_block_delta');
    expect(type('{"type":"future_event.v2"}')).toBe('future_event.v2');
  });
  it('parses other layouts and refuses names that could break SSE framing', () => {
    expect(type('{ "type" : "message_stop" }')).toBe('message_stop');
    expect(type('{"index":0,"type":"content_block_stop"}')).toBe('content_block_stop');
    expect(type('{"type":"mess\\u0061ge_stop"}')).toBe('message_stop');
    expect(type('{"type":"a\\nevent: x"}')).toBeUndefined();
    expect(type('{"type":"a b"}')).toBeUndefined();
    expect(type('{"type":""}')).toBeUndefined();
    expect(type('{"type":5}')).toBeUndefined();
    expect(type('{"type":"x')).toBeUndefined();
  });
  it('reads only its range of a larger buffer', () => {
    const bytes = Buffer.from('xx{"type":"ping"}{"type":"abc"}"');
    expect(eventType(bytes, 2, 17)).toBe('ping');
    expect(eventType(bytes, 17, 29)).toBeUndefined(); // `{"type":"abc`: the closing quote lies past the range
  });
  it('frames an SSE event', () => {
    expect(Buffer.concat(sseEvent('ping', Buffer.from('{"type":"ping"}'))).toString()).toBe('event: ping\ndata: {"type":"ping"}\n\n');
  });
});
