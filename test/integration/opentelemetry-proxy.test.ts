/**
 * The OTLP exporter follows the outbound proxy the environment names, as gw's other calls do: with
 * HTTP_PROXY set, spans reach the collector through a real CONNECT proxy on loopback. (Its own file:
 * the process's proxy agents are made once, from the environment at first use.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOpenTelemetryPlugin } from '@gw/plugin-opentelemetry';
import { eventually, setEnv, startGateway, type RunningGateway } from './support/gateway.js';
import { startEcho, type Echo } from './support/traffic.js';
import { startOtlpReceiver, type OtlpReceiver } from '../support/otlp-receiver.js';
import { startConnectProxy, type ConnectProxy } from '../support/connect-proxy.js';

describe('opentelemetry exporter through the outbound proxy (real gateway, OTLP receiver, real proxy)', () => {
  let echo: Echo;
  let receiver: OtlpReceiver;
  let proxy: ConnectProxy;
  let gw: RunningGateway;
  let restoreEnv: () => void;

  beforeAll(async () => {
    echo = await startEcho();
    receiver = await startOtlpReceiver();
    proxy = await startConnectProxy();
    restoreEnv = setEnv({ HTTP_PROXY: proxy.url, http_proxy: proxy.url });
    gw = await startGateway(
      `_format_version: "3.0"
services:
  - name: echo
    url: http://127.0.0.1:${echo.port}
    routes:
      - name: plain
        paths: [/plain]
plugins:
  - name: opentelemetry
    config:
      traces_endpoint: ${receiver.url}
      queue: {max_coalescing_delay: 0}
`,
      { plugins: [createOpenTelemetryPlugin()] },
    );
  });
  afterAll(async () => {
    await gw?.close();
    restoreEnv?.();
    await proxy?.close();
    await receiver?.stop();
    await echo?.close();
  });

  it('exports the request span through the proxy', async () => {
    const answer = await fetch(`${gw.url}/plain/x`);
    expect(answer.status).toBe(200);
    const id = answer.headers.get('x-kong-request-id');
    await eventually(() => receiver.spans.find((s) => s.attributes['kong.request.id'] === id), 'the request span');
    const target = new URL(receiver.url).host;
    expect(proxy.connects().map((c) => c.target)).toContain(target);
  });
});
