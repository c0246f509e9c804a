import { describe, expect, it } from 'vitest';
import { eventType } from '../../../src/formats/anthropic/sse.js';
import { createSseChunk } from '../../../src/formats/anthropic/sse-chunk.js';

/** Decode-in-place as the Bedrock translation does: the JSON put `offset` bytes past `at()`, then placed. */
function placeAt(out: ReturnType<typeof createSseChunk>, json: string, offset: number): string {
  const bytes = Buffer.from(json, 'utf8');
  const buf = out.room(offset + bytes.length + 2);
  const start = out.at() + offset;
  bytes.copy(buf, start);
  const type = eventType(buf, start, start + bytes.length)!;
  out.placeEvent(type, start, start + bytes.length);
  return type;
}

describe('SSE chunk buffer', () => {
  it('places decoded JSON against its prefix, whatever the room left before it', () => {
    const out = createSseChunk();
    out.expect(10);
    expect(placeAt(out, '{"type":"content_block_delta","i":1}', 33)).toBe('content_block_delta');
    placeAt(out, '{"type":"ping"}', 33); // shorter prefix: moved down
    placeAt(out, '{"type":"a_much_longer_event_name_than_any_anthropic_sends_today"}', 80); // longer: moved up
    expect(out.take()!.toString()).toBe(
      'event: content_block_delta\ndata: {"type":"content_block_delta","i":1}\n\n' +
      'event: ping\ndata: {"type":"ping"}\n\n' +
      'event: a_much_longer_event_name_than_any_anthropic_sends_today\ndata: {"type":"a_much_longer_event_name_than_any_anthropic_sends_today"}\n\n',
    );
    expect(out.take()).toBeUndefined();
  });

  it('a view taken stays as it was while later events are written, and unsent bytes move when the buffer grows', () => {
    const out = createSseChunk();
    out.expect(300);
    out.writeEvent('message_start', '{"type":"message_start","é":"ü"}');
    const first = out.take()!;
    const firstText = first.toString('utf8');
    out.writeEvent('content_block_start', Buffer.from('{"type":"content_block_start"}'));
    // Bigger than what is left: a new buffer, carrying the unsent event along.
    out.writeEvent('content_block_delta', `{"type":"content_block_delta","text":"${'x'.repeat(1000)}"}`);
    expect(out.lastEvent()).toBe(`event: content_block_delta\ndata: {"type":"content_block_delta","text":"${'x'.repeat(1000)}"}\n\n`);
    out.writeRaw(Buffer.from('event: error\ndata: {}\n\n'));
    const rest = out.take()!.toString('utf8');
    expect(first.toString('utf8')).toBe(firstText);
    expect(firstText).toBe('event: message_start\ndata: {"type":"message_start","é":"ü"}\n\n');
    expect(rest).toBe(
      'event: content_block_start\ndata: {"type":"content_block_start"}\n\n' +
      `event: content_block_delta\ndata: {"type":"content_block_delta","text":"${'x'.repeat(1000)}"}\n\n` +
      'event: error\ndata: {}\n\n',
    );
    out.release();
    expect(out.take()).toBeUndefined();
    out.writeEvent('ping', '{"type":"ping"}');
    expect(out.take()!.toString()).toBe('event: ping\ndata: {"type":"ping"}\n\n');
  });
});
