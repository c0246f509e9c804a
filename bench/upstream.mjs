// Mock upstream for the benchmark (its own process, so its CPU is not charged to the proxies):
//   POST /echo                                  → small JSON
//   POST /d<n>/model/<id>/invoke                → an Anthropic message JSON (Bedrock InvokeModel)
//   POST /d<n>/model/<id>/invoke-with-response-stream → Bedrock eventstream with <n> text deltas
//   POST /d<n>/model/<id>/converse-stream       → ConverseStream with the same <n> text deltas
//   POST /slow<n>/model/<id>/invoke-with-response-stream → the same, events 100 ms apart (long streams)
//   POST /paced<n>/model/<id>/invoke-with-response-stream → the same, each event its own write, 1 ms apart
//                                                           (as a model sends them: the pipe forwards each)
// (gw reaches these through ai-proxy's `upstream_url`, a base URL per route.)
// The request body is drained, never parsed. Replies are encoded once at start-up.
import http from 'node:http';
import { EventStreamCodec } from '@smithy/eventstream-codec';

const encoder = new TextEncoder();
// EventStreamCodec(toUtf8: bytes → string, fromUtf8: string → bytes)
const codec = new EventStreamCodec((b) => Buffer.from(b).toString('utf8'), (s) => new Uint8Array(Buffer.from(s, 'utf8')));

/** @param {object} event */
function frame(event) {
  const bytes = Buffer.from(JSON.stringify(event)).toString('base64');
  return Buffer.from(
    codec.encode({
      headers: {
        ':event-type': { type: 'string', value: 'chunk' },
        ':content-type': { type: 'string', value: 'application/json' },
        ':message-type': { type: 'string', value: 'event' },
      },
      body: encoder.encode(JSON.stringify({ bytes, p: 'abcdefghij' })),
    }),
  );
}

/** @param {number} deltas */
function events(deltas) {
  const usage = { input_tokens: 21774, output_tokens: 1, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };
  /** @type {object[]} */
  const list = [
    { type: 'message_start', message: { id: 'msg_bdrk_bench', type: 'message', role: 'assistant', model: 'claude-haiku-4-5-20251001', content: [], stop_reason: null, stop_sequence: null, usage } },
    { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
  ];
  for (let i = 0; i < deltas; i++) list.push({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: `word${i} ` } });
  list.push({ type: 'content_block_stop', index: 0 });
  list.push({ type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: deltas } });
  list.push({ type: 'message_stop', 'amazon-bedrock-invocationMetrics': { inputTokenCount: 21774, outputTokenCount: deltas, invocationLatency: 100, firstByteLatency: 10 } });
  return list.map(frame);
}

/** A ConverseStream event: named by `:event-type`, its JSON padded as Bedrock pads it. @param {string} type @param {object} payload */
function converseFrame(type, payload) {
  return Buffer.from(
    codec.encode({
      headers: {
        ':event-type': { type: 'string', value: type },
        ':content-type': { type: 'string', value: 'application/json' },
        ':message-type': { type: 'string', value: 'event' },
      },
      body: encoder.encode(JSON.stringify({ ...payload, p: 'abcdefghij' })),
    }),
  );
}

/** The same answer as `events(n)`, as ConverseStream sends it. @param {number} deltas */
function converseEvents(deltas) {
  const list = [converseFrame('messageStart', { role: 'assistant' })];
  for (let i = 0; i < deltas; i++) list.push(converseFrame('contentBlockDelta', { contentBlockIndex: 0, delta: { text: `word${i} ` } }));
  list.push(converseFrame('contentBlockStop', { contentBlockIndex: 0 }));
  list.push(converseFrame('messageStop', { stopReason: 'end_turn' }));
  list.push(converseFrame('metadata', { usage: { inputTokens: 21774, outputTokens: deltas, totalTokens: 21774 + deltas }, metrics: { latencyMs: 100 } }));
  return Buffer.concat(list);
}

/** @type {Map<number, Buffer>} */
const converseStreams = new Map();

/** @type {Map<number, Buffer[]>} */
const streams = new Map();
/** @param {number} n */
const framesFor = (n) => {
  let frames = streams.get(n);
  if (!frames) streams.set(n, (frames = events(n)));
  return frames;
};
/** @param {number} n */
const message = (n) =>
  Buffer.from(JSON.stringify({
    id: 'msg_bdrk_bench', type: 'message', role: 'assistant', model: 'claude-haiku-4-5-20251001',
    content: [{ type: 'text', text: Array.from({ length: n }, (_, i) => `word${i}`).join(' ') }],
    stop_reason: 'end_turn', stop_sequence: null,
    usage: { input_tokens: 21774, output_tokens: n, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
  }));
const echo = Buffer.from('{"ok":true,"echo":"bench"}');

const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    const match = /^\/(d|slow|paced)(\d+)\/model\/[^/]+\/(invoke-with-response-stream|invoke|converse-stream)$/.exec(req.url ?? '');
    if (!match) {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': echo.length });
      res.end(echo);
      return;
    }
    const n = Number(match[2]);
    if (match[3] === 'invoke') {
      const body = message(n);
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
      res.end(body);
      return;
    }
    res.writeHead(200, { 'content-type': 'application/vnd.amazon.eventstream', 'x-amzn-requestid': 'bench' });
    if (match[3] === 'converse-stream') {
      let body = converseStreams.get(n);
      if (!body) converseStreams.set(n, (body = converseEvents(n)));
      res.end(body);
      return;
    }
    const frames = framesFor(n);
    if (match[1] === 'd') {
      res.end(Buffer.concat(frames));
      return;
    }
    let i = 0;
    const timer = setInterval(() => {
      if (i >= frames.length || res.destroyed) {
        clearInterval(timer);
        res.end();
        return;
      }
      res.write(frames[i++]);
    }, match[1] === 'slow' ? 100 : 1);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => process.send?.({ port: /** @type {import('node:net').AddressInfo} */ (server.address()).port }));
