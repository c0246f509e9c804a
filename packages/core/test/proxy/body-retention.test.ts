import http from 'node:http';
import { once } from 'node:events';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterEach, describe, expect, it } from 'vitest';
import { definePlugin } from '@gw/plugin-api';
import { gatewayConfig, plugin, route, service } from '../support/config.js';
import { deferred, startGateway, startUpstream } from '../support/http.js';

// A full GC on demand, without starting the test process with --expose-gc.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

/** Collected once nothing references it: WeakRefs are only cleared after the current job, hence the hop. */
async function collected(ref: WeakRef<object>): Promise<boolean> {
  for (let i = 0; i < 5 && ref.deref() !== undefined; i++) {
    await new Promise((r) => setImmediate(r));
    gc();
  }
  return ref.deref() === undefined;
}

describe('request body retention', () => {
  // 1,000 open Claude Code streams would otherwise pin 1,000 request bodies (60–100 KB each) for minutes.
  it('lets a replaced request body be collected while the response is still streaming', async () => {
    const finish = deferred();
    const up = await startUpstream(async (req, res) => {
      for await (const _ of req);
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: one\n\n');
      await finish.promise;
      res.end('data: two\n\n');
    });
    cleanups.push(up.close);

    let sentBody: WeakRef<Uint8Array> | undefined;
    const rewrite = definePlugin({
      name: 'rewrite-body',
      version: '1.0.0',
      priority: 10,
      configSchema: {},
      upstream: ({ upstream }) => {
        const body = new Uint8Array(256 * 1024).fill(97);
        sentBody = new WeakRef(body);
        upstream.body = body;
      },
    });
    const svc = service({ port: up.port });
    const gw = await startGateway(gatewayConfig({ services: [svc], routes: [route(svc, { paths: ['/'] })], plugins: [plugin('rewrite-body')] }), [rewrite]);
    cleanups.push(gw.close);

    const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: gw.port, path: '/', method: 'POST', agent: false }, resolve);
      req.on('error', reject);
      req.end('{"small":true}');
    });
    await once(res, 'data'); // streaming: the upstream request and its listeners are still alive
    expect(sentBody).toBeDefined();
    expect(await collected(sentBody!)).toBe(true);
    finish.resolve();
    res.resume();
    await once(res, 'end');
  });
});
