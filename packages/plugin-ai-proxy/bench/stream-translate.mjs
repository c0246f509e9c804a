#!/usr/bin/env node
/**
 * Benchmark: Bedrock event stream → Anthropic SSE translation (src/translators/anthropic-bedrock/stream.ts),
 * and the same stream relayed to a Bedrock-native client (src/translators/bedrock-bedrock/stream.ts).
 * Builds a realistic 500-delta InvokeModelWithResponseStream body (with `p` padding), then drives the
 * plugin's Transformer with it in network-sized chunks and in one-frame-per-chunk mode.
 *
 *   npx tsc -b packages/plugin-ai-proxy/tsconfig.json && node packages/plugin-ai-proxy/bench/stream-translate.mjs
 *
 * Prints, per mode (median of the timed rounds): the SSE chunks written (frames completed by one network
 * chunk go out together), ns per upstream frame, upstream MB/s and frames/s.
 */
import { EventStreamCodec } from '@smithy/eventstream-codec';
import { aiResponseBody, aiResponseHeaders } from '../dist/phases/response.js';
import { anthropicToBedrock } from '../dist/translators/anthropic-bedrock/index.js';
import { bedrockToBedrock } from '../dist/translators/bedrock-bedrock/index.js';

const DELTAS = 500;
const WARMUP = 20;
const ROUNDS = Number(process.env.ROUNDS ?? 200);
const PADDING = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123';

const codec = new EventStreamCodec((b) => Buffer.from(b).toString('utf8'), (s) => new Uint8Array(Buffer.from(s)));
/** @param {object} event @param {number} i */
const frame = (event, i) => {
  const payload = { bytes: Buffer.from(JSON.stringify(event)).toString('base64'), p: PADDING.slice(0, 1 + (i * 7) % PADDING.length) };
  return codec.encode({
    headers: {
      ':event-type': { type: 'string', value: 'chunk' },
      ':content-type': { type: 'string', value: 'application/json' },
      ':message-type': { type: 'string', value: 'event' },
    },
    body: new Uint8Array(Buffer.from(JSON.stringify(payload))),
  });
};

function buildStream() {
  const usage = { input_tokens: 21_774, cache_creation_input_tokens: 0, cache_read_input_tokens: 18_000, output_tokens: 1 };
  /** @type {object[]} */
  const events = [
    { type: 'message_start', message: { id: 'msg_bdrk_bench', type: 'message', role: 'assistant', model: 'claude-haiku-4-5-20251001', content: [], stop_reason: null, stop_sequence: null, usage } },
    { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
  ];
  for (let i = 0; i < DELTAS; i++) events.push({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: `token ${i} of the answer, ` } });
  events.push(
    { type: 'content_block_stop', index: 0 },
    { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: DELTAS } },
    { type: 'message_stop', 'amazon-bedrock-invocationMetrics': { inputTokenCount: 21_774, outputTokenCount: DELTAS, invocationLatency: 4000, firstByteLatency: 300 } },
  );
  return events.map(frame);
}

/** @param {Uint8Array[]} frames @param {number} size */
function chunked(frames, size) {
  const all = Buffer.concat(frames);
  const out = [];
  for (let at = 0; at < all.byteLength; at += size) out.push(all.subarray(at, at + size));
  return out;
}

let clock = 0;
// The response side reads only ctx.now().
const ctx = /** @type {import('@gw/plugin-api').RequestContext} */ (/** @type {unknown} */ ({ now: () => ++clock }));
/** @returns {import('../dist/exchange.js').AiExchange} */
const exchange = (translator = anthropicToBedrock) => ({
  translator, format: translator.format,
  provider: 'bedrock', kind: 'chat', mode: 'stream', requestModel: 'm', clientModel: undefined, pluginId: 'p',
  logStatistics: true, logPayloads: false, pingIntervalMs: 0, pricing: undefined,
  requestPayload: undefined, localTokenEstimate: undefined, upstreamSentAt: 0, firstTokenAt: undefined, lastTokenAt: undefined,
  usage: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 },
  responseModel: undefined, responseId: undefined, finishReasons: undefined, responsePayload: undefined, error: undefined,
  observations: undefined,
});

/**
 * Drives the plugin's Transformer the way core does for an all-Transformer route (server/direct-body.ts).
 * @param {Uint8Array[]} chunks
 */
async function translate(chunks, translator = anthropicToBedrock) {
  const ex = exchange(translator);
  /** @type {import('@gw/plugin-api').ResponseHead} */
  const response = { status: 200, headers: { 'content-type': 'application/vnd.amazon.eventstream' }, source: 'upstream' };
  aiResponseHeaders({ ctx, response, exchange: ex });
  const transformer = aiResponseBody({ ctx, response, exchange: ex });
  if (!transformer?.transform) throw new Error('no Transformer for a Bedrock stream');
  let events = 0;
  /** @type {TransformStreamDefaultController<Uint8Array>} */
  const controller = {
    desiredSize: 1,
    enqueue(value) {
      events++;
      if (!value || value.byteLength === 0) throw new Error('empty chunk');
    },
    error(reason) {
      throw reason;
    },
    terminate() {},
  };
  for (const chunk of chunks) await transformer.transform(chunk, controller);
  await transformer.flush?.(controller);
  if (ex.error !== undefined || ex.usage.output !== DELTAS) throw new Error(`bad translation: ${JSON.stringify(ex.error ?? ex.usage)}`);
  return events;
}

/** @param {string} label @param {Uint8Array[]} chunks @param {number} bytes @param {number} frameCount */
async function measure(label, chunks, bytes, frameCount, translator = anthropicToBedrock) {
  for (let i = 0; i < WARMUP; i++) await translate(chunks, translator);
  /** @type {number[]} */
  const times = [];
  let events = 0;
  for (let i = 0; i < ROUNDS; i++) {
    const t0 = process.hrtime.bigint();
    events = await translate(chunks, translator);
    times.push(Number(process.hrtime.bigint() - t0));
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)];
  const p90 = times[Math.floor(times.length * 0.9)];
  console.log(
    `${label.padEnd(40)} ${String(events).padStart(4)} chunks out  ` +
    `${(median / frameCount).toFixed(0).padStart(6)} ns/frame (p90 ${(p90 / frameCount).toFixed(0)})  ` +
    `${((bytes / 1e6) / (median / 1e9)).toFixed(1).padStart(6)} MB/s  ` +
    `${((frameCount / median) * 1e9 / 1e6).toFixed(2)} M frames/s`,
  );
}

const frames = buildStream();
const bytes = frames.reduce((n, f) => n + f.byteLength, 0);
console.log(`stream: ${frames.length} frames, ${bytes} bytes upstream; node ${process.version}; ${ROUNDS} rounds (median)`);
await measure('16 KiB network chunks', chunked(frames, 16 * 1024), bytes, frames.length);
await measure('one frame per chunk', frames, bytes, frames.length);
await measure('1 KiB chunks (frames split)', chunked(frames, 1024), bytes, frames.length);
// The Bedrock-native relay: the same bytes passed on whole frames at a time, observed for usage.
await measure('native relay, 16 KiB network chunks', chunked(frames, 16 * 1024), bytes, frames.length, bedrockToBedrock);
await measure('native relay, 1 KiB chunks (frames split)', chunked(frames, 1024), bytes, frames.length, bedrockToBedrock);
