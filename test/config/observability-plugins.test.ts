/**
 * The prometheus and opentelemetry plugins through the config loader (what `gw sync` does): configs as
 * Kong's docs write them load with Kong's defaults filled in, deprecated fields and fields gw cannot act
 * on are warned about with file:line:col, and bad values are refused with Kong's messages.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { formatProblem, loadConfig, type AnyPlugin } from '@gw/core';
import aiProxy from '@gw/plugin-ai-proxy';
import fileLog from '@gw/plugin-file-log';
import keyAuth from '@gw/plugin-key-auth';
import opentelemetry from '@gw/plugin-opentelemetry';
import prometheus from '@gw/plugin-prometheus';

const registry = new Map<string, AnyPlugin>([aiProxy, fileLog, keyAuth, opentelemetry, prometheus].map((p) => [p.name, p as AnyPlugin]));

async function load(text: string) {
  const dir = mkdtempSync(join(tmpdir(), 'gw-observability-'));
  const file = join(dir, 'kong.yaml');
  writeFileSync(file, text);
  const result = await loadConfig([file], { plugins: registry, env: {} });
  const strip = (s: string) => s.split(`${dir}/`).join('');
  return result.ok
    ? { ok: true as const, config: result.config, warnings: result.warnings.map(strip) }
    : { ok: false as const, problems: result.problems.map((p) => strip(formatProblem(p))) };
}

describe('observability plugins in a decK file', () => {
  it("fills Kong's defaults and warns about what gw does not act on", async () => {
    const result = await load(`_format_version: "3.0"
plugins:
  - name: prometheus
    config:
      status_code_metrics: true
      upstream_health_metrics: true
  - name: opentelemetry
    config:
      endpoint: http://otel-collector:4318/v1/traces
      batch_span_count: 50
      header_type: b3
      resource_attributes:
        service.name: kong-dev
`);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.warnings).toEqual([
      'kong.yaml:6:32 plugins[0].config.upstream_health_metrics: is not acted on: gw has no upstreams and no health checks, so kong_upstream_target_health is never exported',
      'kong.yaml:9:17 plugins[1].config.endpoint: OpenTelemetry: config.endpoint is deprecated, please use config.traces_endpoint instead',
      'kong.yaml:10:25 plugins[1].config.batch_span_count: opentelemetry: config.batch_span_count is deprecated, please use config.queue.max_batch_size instead',
      'kong.yaml:11:20 plugins[1].config.header_type: opentelemetry: config.header_type is deprecated, please use config.propagation options instead; gw sends W3C trace context only, not b3 headers',
    ]);
    const [prom, otel] = result.config.plugins;
    expect(prom.config).toEqual({ per_consumer: false, status_code_metrics: true, ai_metrics: false, latency_metrics: false, bandwidth_metrics: false, upstream_health_metrics: true, wasm_metrics: false });
    expect(otel.config).toMatchObject({
      connect_timeout: 1000,
      send_timeout: 5000,
      read_timeout: 5000,
      queue: { max_batch_size: 200, max_coalescing_delay: 1, max_entries: 10000, concurrency_limit: 1 },
      propagation: { default_format: 'w3c' },
      capture_message_content: false,
    });
    expect(otel.protocols).toEqual(['grpc', 'grpcs', 'http', 'https']);
  });

  it('refuses what Kong refuses', async () => {
    const result = await load(`_format_version: "3.0"
plugins:
  - name: prometheus
    config: {per_consumer: "yes"}
  - name: opentelemetry
    config:
      sampling_rate: 2
      queue: {concurrency_limit: 4}
      propagation: {extract: [zipkin]}
      traces_endpoint: ftp://x
`);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.join('\n')).toMatch(/plugins\[0\]\.config\.per_consumer: expected a boolean/);
    expect(result.problems.join('\n')).toMatch(/plugins\[1\]\.config\.sampling_rate: /);
    expect(result.problems.join('\n')).toMatch(/plugins\[1\]\.config\.queue\.concurrency_limit: /);
    expect(result.problems.join('\n')).toMatch(/plugins\[1\]\.config\.propagation\.extract\[0\]: /);
    expect(result.problems.join('\n')).toMatch(/plugins\[1\]\.config\.traces_endpoint: must be an http or https URL/);
    const missing = await load(`_format_version: "3.0"
plugins:
  - name: opentelemetry
    config: {}
`);
    expect(missing.ok ? [] : missing.problems).toEqual([
      'kong.yaml:4:13 plugins[0].config.traces_endpoint: at least one of these fields must be non-empty: traces_endpoint, logs_endpoint',
    ]);
  });

  it('loads examples/observability/kong.yaml without a warning', async () => {
    const file = fileURLToPath(new URL('../../examples/observability/kong.yaml', import.meta.url));
    const env = {
      DECK_AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
      DECK_AWS_SECRET_ACCESS_KEY: 'secret',
      DECK_AWS_REGION: 'us-west-2',
      DECK_ALICE_KEY: 'alice-key',
      DECK_BOB_KEY: 'bob-key',
      DECK_OTLP_ENDPOINT: 'http://127.0.0.1:4318/v1/traces',
    };
    const result = await loadConfig([file], { plugins: registry, env });
    expect(result.ok ? result.warnings : result.problems.map((p) => formatProblem(p))).toEqual([]);
    expect(result.ok && result.config.plugins.map((p) => p.name).sort()).toEqual(['ai-proxy', 'file-log', 'key-auth', 'opentelemetry', 'prometheus']);
  });
});
