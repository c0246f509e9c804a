#!/usr/bin/env node
// What the prometheus plugin's log handler costs per request, alone: a Claude Code stream's record and AI
// call (every switch on, per_consumer) counted N times, after a warm-up; µs per call, median of 7 runs.
// Complements `BENCH_PROMETHEUS=1 pnpm bench` (whole requests, same rounds), whose noise on a shared
// machine is larger than this cost. Run after `pnpm build`: node bench/prometheus-log.mjs
import { AI_CALL } from '../packages/plugin-api/dist/index.js';
import { createPrometheusPlugin } from '../packages/plugin-prometheus/dist/index.js';

const config = { per_consumer: true, status_code_metrics: true, latency_metrics: true, bandwidth_metrics: true, ai_metrics: true, upstream_health_metrics: false, wasm_metrics: false };
const plugin = createPrometheusPlugin();
const init = plugin.init;
const log = plugin.log;
if (init === undefined || log === undefined) throw new Error('the prometheus plugin has no init or log handler');
const state = await init(config, { logger: console, configDir: '.', pluginId: 'bench', nodeId: 'bench' });
const consumers = ['alice', 'bob', 'carol', 'dave'];
const call = {
  provider: 'bedrock', format: 'anthropic', routeType: 'llm/v1/chat', model: 'us.anthropic.claude-haiku-4-5-20251001-v1:0', clientModel: 'claude-haiku-4-5-20251001', stream: true,
  usage: () => ({ tokens: { input: 1234, output: 321, cacheRead: 80000, cacheWrite: 0 }, costUsd: 0.0123, estimated: { input: false, output: false }, complete: true, latencyMs: 2400, timeToFirstTokenMs: 610 }),
};
// Only what the log handler reads: the AI call on its channel.
const ctx = /** @type {import('@gw/plugin-api').RequestContext} */ (/** @type {unknown} */ ({ read: (/** @type {unknown} */ channel) => (channel === AI_CALL ? call : undefined) }));
/** A Claude Code stream's record, with the fields the handler reads. @param {number} i */
const record = (i) => /** @type {import('@gw/plugin-api').LogRecord} */ (/** @type {unknown} */ ({
  request: { size: 87000 }, response: { status: 200, size: 14000 }, latencies: { kong: 2, proxy: 600, request: 2400, receive: 1800 },
  route: { id: 'r1', name: 'claude-code' }, service: { id: 's1', name: 'claude-code', host: 'localhost' }, consumer: { id: `c${i % 4}`, username: consumers[i % 4] }, source: 'upstream', tries: [],
}));
const records = Array.from({ length: 64 }, (_, i) => record(i));
const N = 200_000;
const run = () => {
  const start = process.hrtime.bigint();
  for (let i = 0; i < N; i++) void log({ ctx, config, state, local: {}, record: records[i & 63] });
  return Number(process.hrtime.bigint() - start) / 1e3 / N;
};
run();
const runs = Array.from({ length: 7 }, run).sort((a, b) => a - b);
console.log(`prometheus log handler, every switch on: ${runs[3].toFixed(2)} µs per request (median of 7 × ${N}; runs ${runs.map((r) => r.toFixed(2)).join(', ')})`);
