/**
 * Grafana dashboards against gw's metrics, evaluated by a real Prometheus as Grafana would: gw (Bedrock
 * emulator, key-auth, prometheus with every switch on) takes three rounds of mixed traffic, Prometheus
 * scrapes its status listener every second, and every panel query and variable query of each dashboard
 * must return data, with the dashboard's variables set to "All".
 *
 * Dashboards: gw's own (examples/observability/grafana-dashboard.json), Kong's official dashboard
 * (grafana.com 7424, test/fixtures/kong/grafana/kong-official.json), and any Grafana dashboard JSON
 * named in GW_TEST_GRAFANA_DASHBOARDS (paths, comma separated). Queries
 * on Kong metrics gw does not have (KONG_ONLY, listed with the reason in docs/plugins/prometheus.md)
 * may return nothing; every other one must return data.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startBedrockEmulator, type Emulator } from '@gw/bedrock-emulator';
import { createPrometheusPlugin } from '@gw/plugin-prometheus';
import { setEnv, startGateway, tempDir, type RunningGateway } from './support/gateway.js';
import { AWS_KEYS, deckEnv } from './support/bedrock.js';
import { mixedTraffic, observabilityConfig, startEcho, type Echo } from './support/observability.js';
import { startPrometheus, type PrometheusServer } from '../support/prometheus-server.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** Kong metrics gw does not export; a query on them alone may be empty. */
export const KONG_ONLY = ['kong_memory_lua_shared_dict_bytes', 'kong_memory_lua_shared_dict_total_bytes', 'kong_upstream_target_health'];

interface Panel {
  title?: string;
  targets?: Array<{ expr?: string }>;
  panels?: Panel[];
}
interface Dashboard {
  title: string;
  panels: Panel[];
  templating?: { list: Array<{ name: string; type: string; query?: string | { query?: string }; definition?: string }> };
}

/** Every PromQL query of a dashboard: panel targets (rows included) and `label_values` variables as the series they read. */
function queriesOf(dashboard: Dashboard): Array<{ where: string; expr: string }> {
  const out: Array<{ where: string; expr: string }> = [];
  const walk = (panels: Panel[]) => {
    for (const p of panels) {
      for (const t of p.targets ?? []) if (t.expr) out.push({ where: `panel "${p.title ?? ''}"`, expr: t.expr });
      walk(p.panels ?? []);
    }
  };
  walk(dashboard.panels);
  for (const v of dashboard.templating?.list ?? []) {
    if (v.type !== 'query') continue;
    const text = typeof v.query === 'string' ? v.query : (v.query?.query ?? v.definition ?? '');
    const m = /^label_values\(\s*(.+?)\s*,\s*(\w+)\s*\)$/.exec(text.trim());
    if (m) out.push({ where: `variable $${v.name}`, expr: `count by (${m[2]}) (${m[1]})` });
  }
  return out;
}

/** Grafana's substitutions with every variable at "All" (regex `.*`) and the built-in intervals. */
function resolve(expr: string): string {
  return expr
    .replaceAll('$__rate_interval', '1m')
    .replaceAll('$__interval', '15s')
    .replaceAll('$__range', '5m')
    .replace(/\$\{(\w+)(?::\w+)?\}|\$(\w+)/g, '.*');
}

const dashboards = [
  join(root, 'examples/observability/grafana-dashboard.json'),
  join(root, 'test/fixtures/kong/grafana/kong-official.json'),
  ...(process.env.GW_TEST_GRAFANA_DASHBOARDS ?? '').split(',').filter((p) => p.trim() !== ''),
];

describe('Grafana dashboards against a real Prometheus scraping gw', () => {
  let emulator: Emulator;
  let echo: Echo;
  let gw: RunningGateway;
  let prometheus: PrometheusServer;
  let restoreEnv: () => void;

  beforeAll(async () => {
    emulator = await startBedrockEmulator({ credentials: [AWS_KEYS] });
    echo = await startEcho();
    restoreEnv = setEnv({ AWS_ENDPOINT_URL_BEDROCK_RUNTIME: `http://127.0.0.1:${emulator.port}` });
    const dir = tempDir();
    gw = await startGateway(observabilityConfig(join(dir, 'requests.json'), echo.port), { dir, env: deckEnv, plugins: [createPrometheusPlugin()] });
    const status = await gw.gateway.listenStatus(0, '127.0.0.1');
    prometheus = await startPrometheus([`127.0.0.1:${status.port}`]);
    // rate() needs two samples that differ inside its window: traffic between scrapes, three times.
    for (let round = 0; round < 3; round++) {
      await mixedTraffic(gw.url);
      await prometheus.scrapedAfter(Date.now());
    }
  });
  afterAll(async () => {
    await prometheus?.stop();
    await gw?.close();
    restoreEnv?.();
    await echo?.close();
    await emulator?.close();
  });

  for (const file of dashboards) {
    it(`${file.slice(file.lastIndexOf('/') + 1)}: every query returns data`, async () => {
      const dashboard = JSON.parse(readFileSync(file, 'utf8')) as Dashboard;
      const queries = queriesOf(dashboard);
      expect(queries.length).toBeGreaterThan(0);
      const empty: string[] = [];
      let allowed = 0;
      for (const { where, expr } of queries) {
        const samples = await prometheus.query(resolve(expr));
        if (samples.length > 0) continue;
        const names = [...resolve(expr).matchAll(/\b(kong_\w+|gw_\w+)/g)].map((m) => m[1].replace(/_(bucket|sum|count)$/, ''));
        if (names.length > 0 && names.every((n) => KONG_ONLY.includes(n))) {
          allowed++;
          continue;
        }
        empty.push(`${where}: ${expr}`);
      }
      if (process.env.GW_TEST_DASHBOARD_REPORT) console.log(`${dashboard.title}: ${queries.length} queries, ${allowed} empty on KONG_ONLY metrics`);
      expect(empty).toEqual([]);
    });
  }

  it('the token and cost panels of gw\'s dashboard see both consumers and non-zero numbers', async () => {
    const byConsumer = await prometheus.query('sum by (consumer) (increase(kong_ai_llm_cost_total[5m]))');
    expect(byConsumer.map((s) => s.metric.consumer).sort()).toEqual(['alice', 'bob']);
    for (const s of byConsumer) expect(Number(s.value[1])).toBeGreaterThan(0);
    const ttft = await prometheus.query('histogram_quantile(0.95, sum by (le) (rate(gw_ai_llm_time_to_first_token_ms_bucket[1m])))');
    expect(Number(ttft[0].value[1])).toBeGreaterThan(0);
  });
});
