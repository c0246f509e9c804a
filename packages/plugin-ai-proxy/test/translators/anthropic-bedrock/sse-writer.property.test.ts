/**
 * Properties of the SSE writer (chunk-event.ts) and of the whole Bedrock → SSE translation
 * (bedrock-stream.ts), with eventsource-parser, a widely used SSE parser nobody here wrote, as the oracle:
 * any Anthropic-shaped JSON event, however Bedrock lays out its chunk payload (padding before or after,
 * pretty-printed event JSON), becomes one well-formed SSE event that the parser reads back as the same
 * event name and the same JSON; a type that can't be an SSE event name is refused, never written.
 */
import fc from 'fast-check';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { describe, expect, it } from 'vitest';
import { eventType, sseEvent } from '../../../src/formats/anthropic/sse.js';
import { chunkEventJson } from '../../../src/backends/bedrock/eventstream/chunk.js';
import { bedrockStreamToSse } from '../../../src/translators/anthropic-bedrock/stream.js';
import { codec } from '../../backends/bedrock/eventstream/frame-oracle-support.js';
import { fakeCtx, head, makeExchange, parseSse, run } from '../../support/response-harness.js';
import { fuzz } from '../../support/fuzz.js';

const PLAIN_NAME = /^[A-Za-z0-9_.-]{1,64}$/;
const KNOWN = ['message_start', 'content_block_start', 'content_block_delta', 'content_block_stop', 'message_delta', 'message_stop', 'ping', 'error'];

const extraKey = fc.string({ maxLength: 8 }).filter((k) => k !== 'type');
const extras = fc.dictionary(extraKey, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 });
/** Any event type: Anthropic's, other plain names, and strings no SSE event name may be. */
const anyType = fc.oneof(fc.constantFrom(...KNOWN), fc.stringMatching(PLAIN_NAME), fc.string({ maxLength: 70 }));

/** How Bedrock might write the chunk payload around the base64 of the event JSON. */
const payloadLayout = fc.constantFrom<(b64: string, pad: string) => string>(
  (b64) => `{"bytes":"${b64}"}`,
  (b64, pad) => `{"bytes":"${b64}","p":"${pad}"}`,
  (b64, pad) => `{"p":"${pad}","bytes":"${b64}"}`,
  (b64) => `{ "bytes" : "${b64}" }`,
);
const eventLayout = fc.constantFrom<(event: unknown) => string>(
  (event) => JSON.stringify(event),
  (event) => JSON.stringify(event, null, 2),
);
const pad = fc.stringMatching(/^[A-Za-z0-9]{0,40}$/);

function sseParse(text: string): EventSourceMessage[] {
  const events: EventSourceMessage[] = [];
  const parser = createParser({ onEvent: (e) => events.push(e), onError: (e) => { throw e; } });
  parser.feed(text);
  return events;
}

describe('SSE writer, property-based (fast-check; eventsource-parser is the oracle)', () => {
  it('one chunk payload → one well-formed SSE event that reads back as the same event', () => {
    fc.assert(
      fc.property(anyType, extras, fc.boolean(), payloadLayout, eventLayout, pad, (type, rest, typeFirst, payloadOf, eventOf, p) => {
        const event = typeFirst ? { type, ...rest } : { ...rest, type };
        const payload = Buffer.from(payloadOf(Buffer.from(eventOf(event), 'utf8').toString('base64'), p), 'utf8');
        const json = chunkEventJson(payload);
        expect(json).toBeDefined();
        const name = eventType(json!);
        if (!PLAIN_NAME.test(type)) {
          expect(name).toBeUndefined(); // bedrock-stream refuses it: "upstream sent an unreadable stream event"
          return;
        }
        expect(name).toBe(type);
        const text = Buffer.concat(sseEvent(name!, json!)).toString('utf8');
        expect(parseSse(text)).toHaveLength(1); // exactly `event: x\ndata: <one line>\n\n`
        const read = sseParse(text);
        expect(read).toHaveLength(1);
        expect(read[0]!.event).toBe(type);
        expect(JSON.parse(read[0]!.data)).toEqual(JSON.parse(JSON.stringify(event)));
      }),
      fuzz(1500),
    );
  });

  it('a whole Bedrock stream, split anywhere: the SSE parser reads back every event in order', async () => {
    const middle = fc.record({ type: fc.constantFrom('content_block_start', 'content_block_delta', 'content_block_stop', 'ping', 'custom.event-1'), rest: extras });
    await fc.assert(
      fc.asyncProperty(fc.array(middle, { maxLength: 12 }), fc.array(fc.tuple(payloadLayout, eventLayout, pad), { minLength: 14, maxLength: 14 }), fc.array(fc.nat(), { maxLength: 10 }), async (events, layouts, points) => {
        const all = [
          { type: 'message_start', message: { id: 'msg_1', model: 'm', usage: { input_tokens: 3, output_tokens: 1, cache_read_input_tokens: 0 } } },
          ...events.map(({ type, rest }) => ({ type, ...rest })),
          { type: 'message_stop' },
        ];
        const frames = all.map((event, i) => {
          const [payloadOf, eventOf, p] = layouts[i]!;
          const body = payloadOf(Buffer.from(eventOf(event), 'utf8').toString('base64'), p);
          return Buffer.from(codec.encode({
            headers: { ':event-type': { type: 'string', value: 'chunk' }, ':content-type': { type: 'string', value: 'application/json' }, ':message-type': { type: 'string', value: 'event' } },
            body: Buffer.from(body, 'utf8'),
          }));
        });
        const bytes = Buffer.concat(frames);
        const cuts = [...new Set(points.map((n) => n % bytes.length))].sort((a, b) => a - b);
        const chunks = [...cuts, bytes.length].map((cut, i) => bytes.subarray(i === 0 ? 0 : cuts[i - 1]!, cut));
        const response = head(200);
        const text = await run(bedrockStreamToSse(fakeCtx(), response, makeExchange()), chunks);
        expect(parseSse(text)).toHaveLength(all.length);
        const read = sseParse(text);
        expect(read.map((e) => e.event)).toEqual(all.map((e) => e.type));
        expect(read.map((e) => JSON.parse(e.data))).toEqual(all.map((e) => JSON.parse(JSON.stringify(e))));
      }),
      fuzz(300),
    );
  });
});
