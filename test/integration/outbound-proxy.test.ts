/**
 * A corporate network end to end: the built `gw start` with HTTPS_PROXY (a real CONNECT proxy on
 * 127.0.0.1 that wants a password) and NODE_EXTRA_CA_CERTS (the company's CA), an ai-proxy route to
 * Bedrock over TLS (the emulator behind a TLS terminator on 127.0.0.1, its certificate from that CA),
 * and the real @anthropic-ai/sdk as the client. The Bedrock calls go through one CONNECT tunnel, kept
 * alive; gw says which proxy it uses without the password, which appears nowhere in its output (the
 * secret scan, test/secrets, reads it too); a proxy that is down is a 502 in Anthropic's format.
 */
import net from 'node:net';
import tls from 'node:tls';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Anthropic from '@anthropic-ai/sdk';
import { startBedrockEmulator, type Emulator } from '@gw/bedrock-emulator';
import { spawnGw, type GwProcess } from '../../packages/cli/test/support/gw-process.js';
import { makePki, type TestPki } from '../../packages/core/test/support/pki.js';
import { closedPort, startConnectProxy, type ConnectProxy } from '../support/connect-proxy.js';
import { AWS_KEYS, MODEL, bedrockConfig, deckEnv, post } from './support/bedrock.js';
import { tempDir } from './support/gateway.js';

const PROXY_PASSWORD = 'corp-proxy-Pa55:word@e2e';

let pki: TestPki;
let emulator: Emulator;
let terminator: tls.Server;
let bedrockUrl: string;
let proxy: ConnectProxy;
let dir: string;
let caFile: string;
const running: GwProcess[] = [];

beforeAll(async () => {
  pki = makePki();
  emulator = await startBedrockEmulator({ credentials: [AWS_KEYS] });
  // Bedrock over TLS: the emulator speaks plain HTTP, so TLS ends here, in front of it.
  terminator = tls.createServer({ cert: pki.serverChain, key: pki.serverKey }, (socket) => {
    const plain = net.connect(emulator.port, '127.0.0.1');
    socket.on('error', () => plain.destroy());
    plain.on('error', () => socket.destroy());
    socket.pipe(plain).pipe(socket);
  });
  await new Promise<void>((resolve) => terminator.listen(0, '127.0.0.1', resolve));
  bedrockUrl = `https://127.0.0.1:${(terminator.address() as net.AddressInfo).port}`;
  proxy = await startConnectProxy({ user: 'gw', password: PROXY_PASSWORD });
  dir = tempDir('gw-outbound-proxy-');
  caFile = join(dir, 'corporate-ca.pem');
  writeFileSync(caFile, pki.rootCa);
}, 60_000);

afterAll(async () => {
  await Promise.all(running.map((gw) => gw.stop()));
  await proxy?.close();
  await new Promise((resolve) => terminator?.close(resolve));
  await emulator?.close();
});

async function startGw(httpsProxy: string, name: string): Promise<{ gw: GwProcess; url: string }> {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, bedrockConfig(join(dir, `${name}.log`)));
  const gw = spawnGw(['start', '-s', file, '--port', '0'], {
    env: { ...deckEnv, AWS_ENDPOINT_URL_BEDROCK_RUNTIME: bedrockUrl, HTTPS_PROXY: httpsProxy, NODE_EXTRA_CA_CERTS: caFile },
  });
  running.push(gw);
  const [, url] = await gw.waitFor(/listening on (\S+)/);
  await gw.waitFor(/outbound proxy: .*\n/);
  return { gw, url: url! };
}

const ask = (text: string) => [{ role: 'user' as const, content: text }];

describe('gw start behind a corporate proxy', () => {
  it('reaches Bedrock over TLS through one kept-alive CONNECT tunnel, with the proxy password, never printing it', async () => {
    const { gw, url } = await startGw(proxy.url, 'through-proxy');
    expect(gw.output()).toContain(`outbound proxy: https via http://127.0.0.1:${proxy.port} (HTTPS_PROXY, with credentials), http direct`);

    const client = new Anthropic({ baseURL: `${url}/anything`, apiKey: 'sk-ant-outbound-proxy', maxRetries: 0 });
    const before = { connects: proxy.connects().length, received: emulator.received.length };
    const message = await client.messages.create({ model: MODEL, max_tokens: 64, messages: ask('hi [scenario:text]') });
    expect(message.content).toEqual([{ type: 'text', text: 'Hello from the Bedrock emulator.' }]);
    const streamed = await client.messages.stream({ model: MODEL, max_tokens: 64, messages: ask('hi [scenario:text]') }).finalMessage();
    expect(streamed.content).toEqual([{ type: 'text', text: 'Hello from the Bedrock emulator.' }]);

    // Both calls reached Bedrock, signed, through the proxy, in one tunnel.
    expect(emulator.received.slice(before.received).map((r) => [r.operation, r.signatureValid])).toEqual([
      ['invoke', true],
      ['invoke-stream', true],
    ]);
    const connects = proxy.connects().slice(before.connects);
    expect(connects.map((c) => c.target)).toEqual([new URL(bedrockUrl).host]);
    expect(connects[0]!.authorization).toBe(`Basic ${Buffer.from(`gw:${PROXY_PASSWORD}`).toString('base64')}`);
    expect(gw.output()).not.toContain(PROXY_PASSWORD);
    expect(gw.output()).not.toContain(encodeURIComponent(PROXY_PASSWORD));
  });

  it('a proxy that is down is a 502 in Anthropic format that says so', async () => {
    const { gw, url } = await startGw(`http://gw:${encodeURIComponent(PROXY_PASSWORD)}@127.0.0.1:${await closedPort()}`, 'proxy-down');
    const reply = await post(`${url}/anything/v1/messages`, { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' }, JSON.stringify({ model: MODEL, max_tokens: 16, messages: ask('hi') }));
    expect(reply.status).toBe(502);
    expect(JSON.parse(reply.text)).toEqual({
      type: 'error',
      error: { type: 'api_error', message: 'could not reach the upstream server through the outbound proxy: the proxy is unreachable (ECONNREFUSED)' },
    });
    expect(gw.output() + reply.text).not.toContain(PROXY_PASSWORD);
  });
});
