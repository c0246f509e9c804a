/**
 * The opentelemetry plugin through the real gateway (Bedrock emulator, file-log) against an OTLP/HTTP
 * receiver that decodes the protobuf as a collector does:
 *  - a client's traceparent continues in gw's spans and goes on to Bedrock with the try span as parent;
 *  - the request, upstream-call and stream spans, the GenAI attributes equal to what file-log logged;
 *  - no prompt or completion text unless capture_message_content is on;
 *  - sampling as Kong: a parent that says "not sampled" is followed, sampling_rate 0 sends nothing;
 *  - a collector that hangs or is down never holds a request; spans are dropped, counted, and shown in
 *    GET /status and as gw_otel_spans_dropped_total.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import { join } from 'node:path';
import { startBedrockEmulator, type Emulator } from '@gw/bedrock-emulator';
import { AI_CALL, definePlugin } from '@gw/plugin-api';
import { createOpenTelemetryPlugin } from '@gw/plugin-opentelemetry';
import { createPrometheusPlugin } from '@gw/plugin-prometheus';
import type { AnyPlugin } from '@gw/core';
import { eventually, readLogLines, setEnv, startGateway, tempDir, type RunningGateway } from './support/gateway.js';
import { AWS_KEYS, MODEL, deckEnv } from './support/bedrock.js';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from '../support/otlp-receiver.js';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const CLIENT_SPAN = '00f067aa0ba902b7';

function config(logPath: string, otel: string, routeOtel = ''): string {
  return `_format_version: "3.0"
services:
  - name: claude-code
    url: http://127.0.0.1:9/anything
    routes:
      - name: claude-code
        paths: [/anything]
      - name: keyed
        paths: [/keyed]
        plugins:
          - name: key-auth
      - name: with-content
        paths: [/content]
${routeOtel}
plugins:
  - name: ai-proxy
    config:
      llm_format: anthropic
      route_type: llm/v1/chat
      logging: {log_statistics: true, log_payloads: true}
      auth:
        aws_access_key_id: "\${aws_access_key_id}"
        aws_secret_access_key: "\${aws_secret_access_key}"
      model:
        provider: bedrock
        name: ${MODEL}
        options:
          bedrock: {aws_region: "\${aws_region}"}
          input_cost: 3
          output_cost: 15
  - name: opentelemetry
    config:
${otel}
  - name: file-log
    config: {path: ${logPath}}
`;
}

const body = (text: string, stream: boolean) => JSON.stringify({ model: MODEL, max_tokens: 64, stream, system: 'be brief', messages: [{ role: 'user', content: text }] });

function send(url: string, opts: { text: string; stream: boolean; traceparent?: string; path?: string }): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const payload = body(opts.text, opts.stream);
    const headers: Record<string, string> = { 'content-type': 'application/json', 'x-api-key': 'sk-ant-test', 'content-length': String(Buffer.byteLength(payload)) };
    if (opts.traceparent) headers.traceparent = opts.traceparent;
    const req = http.request(`${url}${opts.path ?? '/anything'}/v1/messages`, { method: 'POST', headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(payload);
  });
}

const byId = (spans: ReceivedSpan[], id: string) => spans.filter((s) => s.attributes['kong.request.id'] === id);

describe('opentelemetry plugin (real gateway, Bedrock emulator, OTLP/HTTP receiver)', () => {
  let emulator: Emulator;
  let restoreEnv: () => void;
  const running: Array<{ close(): Promise<void> }> = [];

  beforeAll(async () => {
    emulator = await startBedrockEmulator({ credentials: [AWS_KEYS] });
    restoreEnv = setEnv({ AWS_ENDPOINT_URL_BEDROCK_RUNTIME: `http://127.0.0.1:${emulator.port}` });
  });
  afterEach(async () => {
    while (running.length > 0) await running.pop()!.close();
  });
  afterAll(async () => {
    restoreEnv?.();
    await emulator?.close();
  });

  async function start(receiver: OtlpReceiver, otel: string, routeOtel = '', plugins: AnyPlugin[] = [createOpenTelemetryPlugin()]): Promise<{ gw: RunningGateway; logPath: string }> {
    const dir = tempDir();
    const logPath = join(dir, 'requests.json');
    const gw = await startGateway(config(logPath, otel.replaceAll('RECEIVER', receiver.url), routeOtel.replaceAll('RECEIVER', receiver.url)), { dir, env: deckEnv, plugins });
    running.push(gw, { close: () => receiver.stop() });
    return { gw, logPath };
  }

  it('continues the client\'s trace: request, upstream call and stream spans with the GenAI attributes the log has', async () => {
    const receiver = await startOtlpReceiver();
    const { gw, logPath } = await start(receiver, `      traces_endpoint: RECEIVER
      queue: {max_coalescing_delay: 0}
      http_response_header_for_traceid: x-trace-id
      resource_attributes: {deployment.environment: test}`);
    const answer = await send(gw.url, { text: 'hello [scenario:text]', stream: true, traceparent: `00-${TRACE_ID}-${CLIENT_SPAN}-01` });
    expect(answer.status).toBe(200);
    expect(answer.headers['x-trace-id']).toBe(TRACE_ID);
    const id = String(answer.headers['x-kong-request-id']);
    const root = await eventually(() => byId(receiver.spans, id)[0], 'the request span');
    const spans = await eventually(() => receiver.spans.filter((s) => s.traceId === TRACE_ID).length >= 3 && receiver.spans.filter((s) => s.traceId === TRACE_ID), 'three spans');
    const line = await eventually(() => readLogLines(logPath).find((l) => l.request.id === id), 'the log line');

    expect(root).toMatchObject({ name: 'kong', kind: 2, traceId: TRACE_ID, parentSpanId: CLIENT_SPAN });
    expect(root.attributes).toMatchObject({ 'http.method': 'POST', 'http.request.method': 'POST', 'http.status_code': 200, 'http.response.status_code': 200, 'gw.route': 'claude-code', 'gw.service': 'claude-code' });
    expect(root.attributes['url.full']).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/anything\/v1\/messages$/);
    expect(root.resource).toMatchObject({ 'service.name': 'gw', 'deployment.environment': 'test' });
    expect(root.resource['service.instance.id']).toMatch(/^[0-9a-f-]{36}$/);

    const call = spans.find((s) => s.parentSpanId === root.spanId)!;
    const usage = line.ai.proxy.usage;
    expect(call).toMatchObject({ name: `chat ${MODEL}`, kind: 3 });
    expect(call.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'aws.bedrock',
      'gen_ai.system': 'aws.bedrock',
      'gen_ai.request.model': MODEL,
      'gen_ai.request.stream': true,
      'gen_ai.response.model': line.ai.proxy.meta.response_model,
      'gen_ai.usage.input_tokens': usage.prompt_tokens,
      'gen_ai.usage.output_tokens': usage.completion_tokens,
      'gen_ai.usage.cache_read.input_tokens': usage.cache_read_input_tokens,
      'gen_ai.response.finish_reasons': ['end_turn'],
      'gen_ai.response.time_to_first_chunk': usage.time_to_first_token / 1000,
      'gw.ai.cost_usd': usage.cost,
      try_count: 1,
    });
    expect(usage.completion_tokens).toBeGreaterThan(0);
    const stream = spans.find((s) => s.parentSpanId === call.spanId)!;
    expect(stream).toMatchObject({ name: 'gw.stream', kind: 1 });
    expect(stream.attributes['gw.stream.bytes']).toBe(line.response.size);
    expect(stream.startNs).toBeGreaterThanOrEqual(call.startNs);
    expect(stream.endNs).toBeLessThanOrEqual(root.endNs);
    expect(call.startNs).toBeGreaterThanOrEqual(root.startNs);

    // Bedrock got the trace with gw's upstream-call span as parent.
    const upstream = emulator.received.find((r) => r.headers.traceparent?.includes(TRACE_ID));
    expect(upstream?.headers.traceparent).toBe(`00-${TRACE_ID}-${call.spanId}-01`);
    expect(receiver.requests[0].contentType).toBe('application/x-protobuf');
  });

  it("takes what the AI call carries (response id, finish reasons, timings) over ai-proxy's log value", async () => {
    // A publisher that fills every optional field of the usage report; it runs after ai-proxy, so its call replaces ai-proxy's.
    const publisher = definePlugin({
      name: 'fake-ai-publisher',
      version: '0.0.0',
      priority: 700,
      configSchema: { type: 'object' },
      access({ ctx }) {
        ctx.publish(AI_CALL, {
          provider: 'anthropic',
          format: 'anthropic',
          routeType: 'llm/v1/chat',
          model: 'claude-sonnet-4-5',
          clientModel: 'sonnet',
          stream: true,
          usage: () => ({
            tokens: { input: 7, output: 3, cacheRead: 10, cacheWrite: 2 },
            costUsd: 0.25,
            estimated: { input: false, output: true },
            complete: false,
            latencyMs: 900,
            timeToFirstTokenMs: 250,
            responseModel: 'claude-sonnet-4-5-20250929',
            responseId: 'msg_01XYZ',
            finishReasons: ['max_tokens'],
          }),
        });
      },
    });
    const receiver = await startOtlpReceiver();
    const { gw } = await start(
      receiver,
      '      traces_endpoint: RECEIVER\n      queue: {max_coalescing_delay: 0}',
      '        plugins:\n          - name: fake-ai-publisher',
      [createOpenTelemetryPlugin(), publisher],
    );
    const answer = await send(gw.url, { text: 'x [scenario:text]', stream: true, path: '/content' });
    expect(answer.status).toBe(200);
    const root = await eventually(() => byId(receiver.spans, String(answer.headers['x-kong-request-id']))[0], 'the request span');
    const call = await eventually(() => receiver.spans.find((s) => s.parentSpanId === root.spanId), 'the call span');
    expect(call.name).toBe('chat claude-sonnet-4-5');
    expect(call.attributes).toMatchObject({
      'gen_ai.provider.name': 'anthropic',
      'gen_ai.response.model': 'claude-sonnet-4-5-20250929',
      'gen_ai.response.id': 'msg_01XYZ',
      'gen_ai.response.finish_reasons': ['max_tokens'],
      'gen_ai.response.time_to_first_chunk': 0.25,
      'gen_ai.usage.input_tokens': 19,
      'gen_ai.usage.output_tokens': 3,
      'gen_ai.usage.cache_read.input_tokens': 10,
      'gen_ai.usage.cache_creation.input_tokens': 2,
      'gw.ai.client_model': 'sonnet',
      'gw.ai.cost_usd': 0.25,
      'gw.ai.usage_estimated': true,
    });
  });

  it('a request another plugin answered first (key-auth 401) still gets its request span', async () => {
    const receiver = await startOtlpReceiver();
    const { gw } = await start(receiver, '      traces_endpoint: RECEIVER\n      queue: {max_coalescing_delay: 0}');
    const answer = await send(gw.url, { text: 'x', stream: false, path: '/keyed', traceparent: `00-${TRACE_ID}-${CLIENT_SPAN}-01` });
    expect(answer.status).toBe(401);
    const root = await eventually(() => byId(receiver.spans, String(answer.headers['x-kong-request-id']))[0], 'the request span');
    expect(root).toMatchObject({ name: 'kong', traceId: TRACE_ID, parentSpanId: CLIENT_SPAN });
    expect(root.attributes).toMatchObject({ 'http.status_code': 401, 'gw.route': 'keyed' });
    expect(root.status.code).toBe(0);
  });

  it('sends no prompt or completion text unless capture_message_content is on (with ai-proxy log_payloads)', async () => {
    const receiver = await startOtlpReceiver();
    const { gw } = await start(
      receiver,
      '      traces_endpoint: RECEIVER\n      queue: {max_coalescing_delay: 0}',
      `        plugins:
          - name: opentelemetry
            config: {traces_endpoint: RECEIVER, queue: {max_coalescing_delay: 0}, capture_message_content: true}`.replace('        plugins:', '        plugins:'),
    );
    const plain = await send(gw.url, { text: 'the secret word is aubergine [scenario:text]', stream: false });
    const captured = await send(gw.url, { text: 'the secret word is aubergine [scenario:text]', stream: true, path: '/content' });
    const plainSpans = await eventually(() => byId(receiver.spans, String(plain.headers['x-kong-request-id']))[0] && receiver.spans.filter((s) => s.traceId === byId(receiver.spans, String(plain.headers['x-kong-request-id']))[0].traceId), 'spans');
    expect(JSON.stringify(plainSpans, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v))).not.toContain('aubergine');
    expect(plainSpans.some((s) => 'gen_ai.input.messages' in s.attributes)).toBe(false);

    const root = await eventually(() => byId(receiver.spans, String(captured.headers['x-kong-request-id']))[0], 'the captured request span');
    const call = await eventually(() => receiver.spans.find((s) => s.parentSpanId === root.spanId), 'the captured call span');
    expect(JSON.parse(String(call.attributes['gen_ai.input.messages']))).toEqual([{ role: 'user', parts: [{ type: 'text', content: 'the secret word is aubergine [scenario:text]' }] }]);
    expect(JSON.parse(String(call.attributes['gen_ai.system_instructions']))).toEqual([{ type: 'text', content: 'be brief' }]);
    const output = JSON.parse(String(call.attributes['gen_ai.output.messages']));
    expect(output[0]).toMatchObject({ role: 'assistant', finish_reason: 'end_turn' });
    expect(output[0].parts[0].type).toBe('text');
    expect(String(output[0].parts[0].content).length).toBeGreaterThan(0);
  });

  it('follows a parent that says "not sampled", sends nothing at sampling_rate 0, and still propagates', async () => {
    const receiver = await startOtlpReceiver();
    const { gw } = await start(receiver, '      traces_endpoint: RECEIVER\n      queue: {max_coalescing_delay: 0}', `        plugins:
          - name: opentelemetry
            config: {traces_endpoint: RECEIVER, queue: {max_coalescing_delay: 0}, sampling_rate: 0}`);
    const unsampled = '4bf92f3577b34da6a3ce929d0e0e4737';
    await send(gw.url, { text: 'x [scenario:text]', stream: false, traceparent: `00-${unsampled}-${CLIENT_SPAN}-00` });
    await send(gw.url, { text: 'x [scenario:text]', stream: false, path: '/content' });
    // A sampled request after them: once its spans are in, the others would have been too.
    const sampled = await send(gw.url, { text: 'x [scenario:text]', stream: false });
    await eventually(() => byId(receiver.spans, String(sampled.headers['x-kong-request-id'])).length > 0, 'the sampled request');
    await eventually(() => receiver.spans.length >= 2, 'its call span');
    expect(receiver.spans.some((s) => s.traceId === unsampled)).toBe(false);
    expect(receiver.spans.every((s) => s.attributes['gw.route'] !== 'with-content' && s.resource['service.name'] === 'gw')).toBe(true);
    expect(new Set(receiver.spans.map((s) => s.traceId)).size).toBe(1);
    const upstream = emulator.received.find((r) => r.headers.traceparent?.startsWith(`00-${unsampled}-`));
    expect(upstream?.headers.traceparent).toMatch(new RegExp(`^00-${unsampled}-[0-9a-f]{16}-00$`));
  });

  it('a collector that hangs holds no request; a full queue drops its oldest spans, counted in /status and /metrics', async () => {
    const receiver = await startOtlpReceiver('hang');
    const otel = createOpenTelemetryPlugin();
    const { gw } = await start(receiver, '      traces_endpoint: RECEIVER\n      queue: {max_coalescing_delay: 0, max_entries: 4, max_batch_size: 2}\n      read_timeout: 600000', '', [otel, createPrometheusPlugin()]);
    const status = await gw.gateway.listenStatus(0, '127.0.0.1');
    for (let i = 0; i < 6; i++) expect((await send(gw.url, { text: `n${i} [scenario:text]`, stream: i % 2 === 0 })).status).toBe(200);
    await eventually(() => receiver.requests.length > 0, 'the export that hangs');
    const report = await eventually(async () => {
      const body = (await (await fetch(`http://127.0.0.1:${status.port}/status`)).json()) as { plugins: { opentelemetry: { spans_dropped: Record<string, number>; spans_queued: number } } };
      return body.plugins.opentelemetry.spans_dropped.queue_full > 0 ? body.plugins.opentelemetry : undefined;
    }, 'dropped spans in /status');
    // 6 requests × 2 spans (+ 3 stream spans) = 15; one batch of 2 is stuck in the hanging export, 4 wait.
    expect(report.spans_dropped.queue_full).toBe(15 - 2 - 4);
    expect(report.spans_queued).toBe(6);
    const metrics = await (await fetch(`http://127.0.0.1:${status.port}/metrics`)).text();
    expect(metrics).toContain(`gw_otel_spans_dropped_total{reason="queue_full"} ${report.spans_dropped.queue_full}`);
    expect(metrics).toContain('gw_otel_spans_queued 6');
  });

  it('a collector that is down: spans are retried until queue.max_retry_time, then dropped and counted; requests never wait', async () => {
    const receiver = await startOtlpReceiver();
    await receiver.stop();
    const otel = createOpenTelemetryPlugin();
    const { gw } = await start(receiver, '      traces_endpoint: RECEIVER\n      queue: {max_coalescing_delay: 0, max_retry_time: 0.3, initial_retry_delay: 0.05}\n      connect_timeout: 100\n      send_timeout: 100\n      read_timeout: 100', '', [otel]);
    for (let i = 0; i < 3; i++) expect((await send(gw.url, { text: `n${i} [scenario:text]`, stream: false })).status).toBe(200);
    const counts = await eventually(() => {
      const values = otel.status!().values as { spans_dropped: Record<string, number>; spans_exported: number };
      return values.spans_dropped.export_failed === 6 ? values : undefined;
    }, 'six spans dropped after retries');
    expect(counts.spans_exported).toBe(0);
    expect(gw.messages.join('\n')).toMatch(/opentelemetry: \d+ spans dropped: the collector at http:\/\/127\.0\.0\.1:\d+\/v1\/traces did not take them/);
  });

  it('closing the gateway with a collector that hangs ends in bounded time, the waiting spans counted as dropped at shutdown', async () => {
    const receiver = await startOtlpReceiver('hang');
    const otel = createOpenTelemetryPlugin();
    const { gw } = await start(receiver, '      traces_endpoint: RECEIVER\n      queue: {max_coalescing_delay: 0, max_batch_size: 1}\n      read_timeout: 600000', '', [otel]);
    for (let i = 0; i < 2; i++) expect((await send(gw.url, { text: `n${i} [scenario:text]`, stream: false })).status).toBe(200);
    await eventually(() => receiver.requests.length > 0, 'the export that hangs');
    running.splice(running.indexOf(gw), 1);
    await gw.close();
    const values = otel.status!().values as { spans_dropped: Record<string, number> };
    expect(values.spans_dropped.shutdown).toBeGreaterThanOrEqual(3);
  });
});
