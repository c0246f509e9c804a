/**
 * Plugins on the status listener: their `statusEndpoints` (the prometheus plugin's GET /metrics) and the
 * reports of `status()` under `plugins.<name>` in GET /status, with the node view handlers get.
 */
import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { definePlugin, type NodeStatus } from '@gw/plugin-api';
import { checkPluginDefinition, loadPluginRegistry, PluginLoadError } from '../../src/runtime/plugin-loader.js';
import { gatewayConfig, route, service } from '../support/config.js';
import { send, startEcho, startGateway } from '../support/http.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

function get(port: number, path: string, method = 'GET'): Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string }> {
  return new Promise((resolve, reject) => {
    http
      .request({ host: '127.0.0.1', port, path, method, agent: false }, (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, text }));
      })
      .on('error', reject)
      .end();
  });
}

const schema = { type: 'object' } as const;
let seen: NodeStatus | undefined;
let exported = 0;
const exporter = definePlugin({
  name: 'status-probe',
  version: '1.0.0',
  priority: 1,
  configSchema: schema,
  statusEndpoints: [
    {
      path: '/probe',
      handle(request, node) {
        seen = node;
        return new Response(`${request.method} ${node.totalRequests()} ${node.configuration().hash}`, { headers: { 'content-type': 'text/plain' } });
      },
    },
    { path: '/broken', handle: () => { throw new Error('secret detail'); } },
  ],
  status: () => ({ values: { exported }, metrics: [{ name: 'probe_exported_total', help: 'h', type: 'counter', samples: [{ value: exported }] }] }),
});
const failing = definePlugin({ name: 'status-failing', version: '1.0.0', priority: 1, configSchema: schema, status: () => { throw new Error('nope'); } });

async function setup() {
  const echo = await startEcho();
  cleanups.push(echo.close);
  const svc = service({ port: echo.port });
  const gw = await startGateway(gatewayConfig({ services: [svc], routes: [route(svc, { paths: ['/'] })] }), [exporter, failing]);
  cleanups.push(gw.close);
  const status = await gw.gateway.listenStatus(0, '127.0.0.1');
  return { gw, status };
}

describe('plugins on the status listener', () => {
  it("serves a plugin's endpoint with the node's view, HEAD included", async () => {
    const { gw, status } = await setup();
    expect((await send(gw.port, { path: '/x' })).status).toBe(200);
    const hash = JSON.parse((await get(status.port, '/status')).text).configuration_hash;
    const reply = await get(status.port, '/probe');
    expect(reply).toMatchObject({ status: 200, text: `GET 1 ${hash}` });
    expect((await get(status.port, '/probe', 'HEAD')).status).toBe(200);
    expect(seen!.nodeId).toMatch(/^[0-9a-f-]{36}$/);
    expect(seen!.configuration().loadedAt).toBeLessThanOrEqual(Date.now());
    expect(seen!.connections().accepted).toBeGreaterThanOrEqual(1);
    expect([...seen!.pluginReports().keys()]).toEqual(['status-probe']);
    // Proxy traffic never reaches it.
    expect((await send(gw.port, { path: '/probe' })).body).not.toMatch(/^GET/);
  });

  it('answers a failing endpoint with a 500 and logs the plugin, never the detail to the client', async () => {
    const { gw, status } = await setup();
    const reply = await get(status.port, '/broken');
    expect(reply.status).toBe(500);
    expect(JSON.parse(reply.text)).toEqual({ message: 'An unexpected error occurred' });
    expect(gw.logger.lines.join('\n')).toMatch(/plugin status-probe failed serving \/broken: Error: secret detail/);
  });

  it("lists plugins' values under plugins.<name> in GET /status; a failing status() is left out and logged", async () => {
    const { gw, status } = await setup();
    exported = 7;
    const body = JSON.parse((await get(status.port, '/status')).text);
    expect(body.plugins).toEqual({ 'status-probe': { exported: 7 } });
    expect(gw.logger.lines.join('\n')).toMatch(/plugin status-failing failed in status: Error: nope/);
  });

  it('refuses bad endpoint declarations and two plugins serving one path', async () => {
    expect(checkPluginDefinition({ ...exporter, statusEndpoints: [{ path: 'metrics', handle() {} }, { path: '/status', handle: 1 }] })).toEqual([
      "statusEndpoints[0].path must be a path starting with /, got 'metrics'",
      "statusEndpoints[1].path /status is gw's own",
      'statusEndpoints[1].handle must be a function',
    ]);
    const twin = definePlugin({ ...exporter, name: 'status-twin' });
    await expect(loadPluginRegistry(['bundled'], { baseDir: '/', bundled: [exporter, twin] })).rejects.toThrow(
      new PluginLoadError("status endpoint /probe is served by two plugins: bundled plugin 'status-probe' and bundled plugin 'status-twin'"),
    );
  });
});
