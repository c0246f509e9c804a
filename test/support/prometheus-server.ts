/**
 * A real Prometheus for a test file: scrapes the given targets every second, keeps its data in a temp
 * folder, listens on a free loopback port. `query` evaluates PromQL through its HTTP API, as Grafana
 * does; `scrapedAfter` waits until every target was scraped after a moment (traffic done → numbers in).
 * scripts/test-setup.mjs makes sure the binary exists before the tests run.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { locate, NEEDS } from '../../scripts/test-setup.mjs';

export interface PromSample {
  metric: Record<string, string>;
  value: [number, string];
}

export interface PrometheusServer {
  readonly url: string;
  /** Instant query at `time` (seconds; now by default). Throws with Prometheus' error for a bad query. */
  query(expr: string, time?: number): Promise<PromSample[]>;
  /** Resolves once every target's last successful scrape started after `since` (ms since epoch). */
  scrapedAfter(since: number): Promise<void>;
  /** Health of the targets, as Prometheus reports them. */
  targets(): Promise<Array<{ scrapeUrl: string; health: string; lastError: string; lastScrape: string }>>;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `targets`: host:port of each /metrics endpoint (loopback). */
export async function startPrometheus(targets: string[], options: { metricsPath?: string; job?: string } = {}): Promise<PrometheusServer> {
  const need = NEEDS.find((n) => n.name === 'Prometheus')!;
  const binary = locate(need);
  if (binary === undefined) throw new Error('prometheus is not installed: run `node scripts/test-setup.mjs` (pnpm test does)');
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'gw-prometheus-'));
  const config = join(dir, 'prometheus.yml');
  writeFileSync(
    config,
    [
      'global:',
      '  scrape_interval: 1s',
      '  scrape_timeout: 1s',
      '  evaluation_interval: 1s',
      'scrape_configs:',
      `  - job_name: ${options.job ?? 'gw'}`,
      `    metrics_path: ${options.metricsPath ?? '/metrics'}`,
      '    static_configs:',
      `      - targets: [${targets.map((t) => JSON.stringify(t)).join(', ')}]`,
      '',
    ].join('\n'),
  );
  let output = '';
  const child: ChildProcess = spawn(
    binary,
    [`--config.file=${config}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
  child.stderr?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
  const url = `http://127.0.0.1:${port}`;
  const api = async <T>(path: string): Promise<T> => {
    const res = await fetch(`${url}${path}`);
    const body = (await res.json()) as { status: string; data: T; error?: string };
    if (body.status !== 'success') throw new Error(`prometheus ${path}: ${body.error ?? res.status}`);
    return body.data;
  };
  const exited = () => child.exitCode !== null || child.signalCode !== null;

  const server: PrometheusServer = {
    url,
    async query(expr, time) {
      const at = time === undefined ? '' : `&time=${time}`;
      const data = await api<{ resultType: string; result: PromSample[] | [number, string] }>(`/api/v1/query?query=${encodeURIComponent(expr)}${at}`);
      // A scalar result has one value; report it as one unlabelled sample.
      return data.resultType === 'scalar' ? [{ metric: {}, value: data.result as [number, string] }] : (data.result as PromSample[]);
    },
    async targets() {
      const data = await api<{ activeTargets: Array<{ scrapeUrl: string; health: string; lastError: string; lastScrape: string }> }>('/api/v1/targets');
      return data.activeTargets;
    },
    async scrapedAfter(since) {
      for (let i = 0; i < 200; i++) {
        const targets = await server.targets();
        if (targets.length > 0 && targets.every((t) => t.health === 'up' && Date.parse(t.lastScrape) > since)) return;
        await sleep(100);
      }
      throw new Error(`prometheus did not scrape every target within 20 s: ${JSON.stringify(await server.targets())}`);
    },
    async stop() {
      if (!exited()) {
        const done = new Promise<void>((r) => child.once('exit', () => r()));
        child.kill('SIGTERM');
        await done;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  for (let i = 0; i < 300; i++) {
    if (exited()) throw new Error(`prometheus exited ${child.exitCode}:\n${output}`);
    try {
      const res = await fetch(`${url}/-/ready`);
      if (res.status === 200) return server;
    } catch {
      // not listening yet
    }
    await sleep(50);
  }
  child.kill('SIGKILL');
  throw new Error(`prometheus was not ready within 15 s:\n${output}`);
}
