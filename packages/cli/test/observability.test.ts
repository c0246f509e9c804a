/**
 * `gw start` with the bundled prometheus and opentelemetry plugins, as a user runs it: GET /metrics on
 * --status-listen counts proxied requests in Kong's names and keeps counting across a SIGHUP reload;
 * spans reach an OTLP receiver; GET /status shows the exporter's counters.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawnGw, type GwProcess } from './support/gw-process.js';
import { startEchoUpstream, type EchoUpstream } from './support/echo-upstream.js';
import { startOtlpReceiver, type OtlpReceiver } from '../../../test/support/otlp-receiver.js';

let dir: string;
let upstream: EchoUpstream;
let receiver: OtlpReceiver;
let gw: GwProcess | undefined;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'gw-cli-observability-'));
  upstream = await startEchoUpstream();
  receiver = await startOtlpReceiver();
});
afterEach(async () => {
  upstream.release();
  await gw?.stop();
  gw = undefined;
});
afterAll(async () => {
  await upstream.close();
  await receiver.stop();
  rmSync(dir, { recursive: true, force: true });
});

function writeConfig(routes: string[]): string {
  const file = path.join(dir, 'kong.yaml');
  writeFileSync(
    file,
    [
      '_format_version: "3.0"',
      'services:',
      '  - name: echo',
      '    url: ${{ env "DECK_UPSTREAM" }}',
      '    routes:',
      ...routes.flatMap((r) => [`      - name: ${r}`, `        paths: [/${r}]`]),
      'plugins:',
      '  - name: prometheus',
      '    config: {status_code_metrics: true}',
      '  - name: opentelemetry',
      `    config: {traces_endpoint: "${receiver.url}", queue: {max_coalescing_delay: 0}}`,
      '',
    ].join('\n'),
  );
  return file;
}

const sample = (text: string, line: RegExp) => Number(line.exec(text)?.[1]);

describe('gw start with prometheus and opentelemetry', () => {
  it('serves /metrics on the status listener, counting across a reload, and exports spans', async () => {
    const file = writeConfig(['a']);
    gw = spawnGw(['start', '-s', file, '--port', '0', '--host', '127.0.0.1', '--status-listen', '127.0.0.1:0'], { env: { DECK_UPSTREAM: upstream.url } });
    const url = (await gw.waitFor(/gw listening on (http:\/\/127\.0\.0\.1:\d+)/))[1];
    const status = (await gw.waitFor(/gw status on (http:\/\/127\.0\.0\.1:\d+)\/status/))[1];
    expect((await fetch(`${url}/a/x`)).status).toBe(200);
    const counted = /kong_http_requests_total\{service="echo",route="a",code="200",source="service",workspace="default",consumer=""\} (\d+)/;
    let metrics = await fetch(`${status}/metrics`);
    expect(metrics.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(sample(await metrics.text(), counted)).toBe(1);

    writeConfig(['a', 'b']);
    const mark = gw.output().length;
    gw.child.kill('SIGHUP');
    await gw.waitFor(/reloaded/, mark);
    expect((await fetch(`${url}/a/y`)).status).toBe(200);
    metrics = await fetch(`${status}/metrics`);
    const text = await metrics.text();
    expect(sample(text, counted)).toBe(2);
    expect(sample(text, /kong_nginx_requests_total\{node_id="[0-9a-f-]{36}",subsystem="http"\} (\d+)/)).toBe(2);

    const spans = () => receiver.spans.filter((s) => s.name === 'kong');
    for (let i = 0; i < 100 && spans().length < 2; i++) await new Promise((r) => setTimeout(r, 50));
    expect(spans().map((s) => s.attributes['gw.route'])).toEqual(['a', 'a']);
    const report = (await (await fetch(`${status}/status`)).json()) as { plugins: { opentelemetry: { spans_exported: number } } };
    expect(report.plugins.opentelemetry.spans_exported).toBeGreaterThanOrEqual(4);
  });
});
