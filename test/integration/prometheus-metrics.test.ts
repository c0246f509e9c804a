/**
 * The prometheus plugin through the real gateway (Bedrock emulator, key-auth, file-log): after a mixed
 * run, every series of every request family equals what Kong's exporter rules give over file-log's lines
 * for the same requests, read two ways by parsers nobody here wrote: `parse-prometheus-text-format` on
 * the text (counters), and a real Prometheus that scraped it (everything, histogram buckets included).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { startBedrockEmulator, type Emulator } from '@gw/bedrock-emulator';
import { createPrometheusPlugin } from '@gw/plugin-prometheus';
import { eventually, readLogLines, setEnv, startGateway, tempDir, type RunningGateway } from './support/gateway.js';
import { AWS_KEYS, deckEnv } from './support/bedrock.js';
import { expectedFromLog, familyOf, mixedTraffic, observabilityConfig, REQUEST_FAMILIES, seriesKey, startEcho, type Echo, type Expected } from './support/observability.js';
import { startPrometheus, type PrometheusServer } from '../support/prometheus-server.js';

interface Family {
  name: string;
  type: string;
  metrics: Array<{ value?: string; labels?: Record<string, string> }>;
}

async function scrape(port: number): Promise<{ contentType: string | null; text: string }> {
  const res = await fetch(`http://127.0.0.1:${port}/metrics`);
  return { contentType: res.headers.get('content-type'), text: await res.text() };
}

/** The counters of the request families in the text, by series key. */
function countersOf(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const family of parsePrometheusTextFormat(text) as Family[]) {
    if (family.type !== 'COUNTER' || !REQUEST_FAMILIES.includes(family.name)) continue;
    for (const m of family.metrics) out.set(seriesKey(family.name, m.labels ?? {}), Number(m.value));
  }
  return out;
}

function expectSameSeries(actual: Map<string, number>, expected: Expected, families: (name: string) => boolean): void {
  const want = [...expected.series].filter(([k]) => families(familyOf(k)));
  const got = [...actual].filter(([k]) => families(familyOf(k)));
  expect(got.map(([k]) => k).sort()).toEqual(want.map(([k]) => k).sort());
  for (const [key, value] of want) {
    // Costs are sums of fractions of a cent: the same additions in the same order, compared to the 12th digit.
    if (key.startsWith('kong_ai_llm_cost_total')) expect(actual.get(key), key).toBeCloseTo(value, 12);
    else expect(actual.get(key), key).toBe(value);
  }
}

describe('prometheus plugin: /metrics after a mixed run equals the file-log', () => {
  let emulator: Emulator;
  let echo: Echo;
  let gw: RunningGateway;
  let statusPort: number;
  let logPath: string;
  let restoreEnv: () => void;
  let prometheus: PrometheusServer | undefined;
  let sent = 0;

  beforeAll(async () => {
    emulator = await startBedrockEmulator({ credentials: [AWS_KEYS] });
    echo = await startEcho();
    restoreEnv = setEnv({ AWS_ENDPOINT_URL_BEDROCK_RUNTIME: `http://127.0.0.1:${emulator.port}` });
    const dir = tempDir();
    logPath = join(dir, 'requests.json');
    gw = await startGateway(observabilityConfig(logPath, echo.port), { dir, env: deckEnv, plugins: [createPrometheusPlugin()] });
    statusPort = (await gw.gateway.listenStatus(0, '127.0.0.1')).port;
    sent += await mixedTraffic(gw.url);
    sent += await mixedTraffic(gw.url);
    // Every routed request has its line (the unrouted ones may too); then nothing more is coming.
    await eventually(() => readLogLines(logPath).filter((l) => l.route !== null).length === sent - 2, 'the log lines');
  });
  afterAll(async () => {
    await prometheus?.stop();
    await gw?.close();
    restoreEnv?.();
    await echo?.close();
    await emulator?.close();
  });

  it('serves the text format; its counters equal the log (parse-prometheus-text-format)', async () => {
    const { contentType, text } = await scrape(statusPort);
    expect(contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
    const expected = expectedFromLog(readLogLines(logPath));
    // The run has what each family needs: two consumers, a cut by each side, estimates, cache tokens.
    expect([...expected.series.keys()].filter((k) => k.startsWith('gw_http_responses_cut_total')).map((k) => /by="(\w+)"/.exec(k)![1]).sort()).toEqual(['client', 'upstream']);
    expect([...expected.series.keys()].some((k) => k.includes('cache_read_tokens'))).toBe(true);
    expect([...expected.series.keys()].some((k) => k.startsWith('gw_ai_llm_estimated_requests_total'))).toBe(true);
    const counters = new Set(['kong_http_requests_total', 'kong_bandwidth_bytes', 'kong_ai_llm_requests_total', 'kong_ai_llm_cost_total', 'kong_ai_llm_tokens_total', 'gw_ai_llm_tokens_total', 'gw_ai_llm_estimated_requests_total', 'gw_http_responses_cut_total']);
    expectSameSeries(countersOf(text), expected, (f) => counters.has(f));
  });

  it('a real Prometheus scraping it holds the same numbers, histograms included', async () => {
    prometheus = await startPrometheus([`127.0.0.1:${statusPort}`]);
    await prometheus.scrapedAfter(Date.now());
    const samples = await prometheus.query('{__name__=~"kong_.+|gw_.+"}');
    const actual = new Map(samples.map((s) => [seriesKey(s.metric.__name__, s.metric), Number(s.value[1])]));
    const expected = expectedFromLog(readLogLines(logPath));
    expectSameSeries(actual, expected, (f) => REQUEST_FAMILIES.includes(f));

    // The node: every request counted (unrouted ones too), Kong's node info, gw's config hash.
    const node = (name: string, state?: string) =>
      samples.find((s) => s.metric.__name__ === name && (state === undefined || s.metric.state === state))?.value[1];
    expect(Number(node('kong_nginx_requests_total'))).toBe(sent);
    expect(Number(node('kong_nginx_connections_total', 'total'))).toBe(sent);
    expect(Number(node('kong_nginx_connections_total', 'accepted'))).toBeGreaterThanOrEqual(sent);
    expect(Number(node('kong_node_info'))).toBe(1);
    const hash = ((await (await fetch(`http://127.0.0.1:${statusPort}/status`)).json()) as { configuration_hash: string }).configuration_hash;
    expect(Number(node('gw_config_hash'))).toBe(Number(BigInt(`0x${hash}`)));
    expect(Number(node('gw_config_loaded_timestamp_seconds'))).toBeLessThanOrEqual(Date.now() / 1000);
  });
});
