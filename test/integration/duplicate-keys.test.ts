/**
 * A JSON body with a top-level key twice is ambiguous: gw's checks would read one value (JSON.parse keeps
 * the last) while the upstream may read the other, e.g. a pinned `model` checked on the second key and
 * served from the first. Through the real gateway: any duplicate top-level key is a 400
 * invalid_request_error naming the key, in Anthropic's format, and nothing reaches the upstream.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { startBedrockEmulator, type Emulator } from '@gw/bedrock-emulator';
import { setEnv, startGateway, tempDir, type RunningGateway } from './support/gateway.js';
import { AWS_KEYS, MODEL, bedrockConfig, deckEnv } from './support/bedrock.js';
import { startRawUpstream, type RawUpstream } from './support/raw-upstream.js';

describe('duplicate top-level keys in a request body (real gateway)', () => {
  let emulator: Emulator;
  let anthropic: RawUpstream;
  let gw: RunningGateway;
  let restoreEnv: () => void;

  beforeAll(async () => {
    emulator = await startBedrockEmulator({ credentials: [AWS_KEYS] });
    anthropic = await startRawUpstream((socket) => {
      const body = '{"type":"message","content":[],"usage":{"input_tokens":1,"output_tokens":1}}';
      socket.write(`HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n${body}`);
    });
    restoreEnv = setEnv({ AWS_ENDPOINT_URL_BEDROCK_RUNTIME: `http://127.0.0.1:${emulator.port}` });
    const dir = tempDir();
    const yaml = bedrockConfig(join(dir, 'log.json')).replace(
      'plugins:\n',
      `  - name: anthropic
    url: http://127.0.0.1:9
    routes:
      - name: anthropic
        paths: [/direct]
        plugins:
          - name: ai-proxy
            config:
              llm_format: anthropic
              route_type: llm/v1/chat
              auth: { header_name: x-api-key, header_value: sk-ant-configured }
              model: { provider: anthropic, name: claude-haiku-4-5, options: { anthropic_version: "2023-06-01", upstream_url: "${anthropic.url}" } }
plugins:
`,
    );
    gw = await startGateway(yaml, { dir, env: deckEnv });
  });
  afterAll(async () => {
    await gw?.close();
    restoreEnv?.();
    await anthropic?.close();
    await emulator?.close();
  });

  const post = (path: string, body: string) =>
    fetch(`${gw.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': 'sk-ant-test', 'anthropic-version': '2023-06-01' }, body });

  const messages = '"messages":[{"role":"user","content":"hi"}]';

  it.each([
    { where: 'Bedrock', path: '/anything/v1/messages', body: `{"model":"some-other-model",${messages},"max_tokens":16,"model":"${MODEL}"}`, key: 'model' },
    { where: 'Bedrock', path: '/anything/v1/messages', body: `{"model":"${MODEL}","max_tokens":16,${messages},"max_tokens":99999999}`, key: 'max_tokens' },
    { where: 'Bedrock', path: '/anything/v1/messages', body: `{"model":"${MODEL}","max_tokens":16,${messages},"messages":[]}`, key: 'messages' },
    { where: 'Bedrock count_tokens', path: '/anything/v1/messages/count_tokens', body: `{"model":"${MODEL}",${messages},"system":"a","system":"b"}`, key: 'system' },
    { where: 'Anthropic', path: '/direct/v1/messages', body: `{"model":"claude-opus-4-1",${messages},"max_tokens":16,"model":"claude-haiku-4-5"}`, key: 'model' },
    { where: 'Anthropic', path: '/direct/v1/messages', body: `{"model":"claude-haiku-4-5",${messages},"max_tokens":16,"stream":false,"stream":true}`, key: 'stream' },
    { where: 'Anthropic (escaped name)', path: '/direct/v1/messages', body: `{"model":"claude-haiku-4-5",${messages},"max_tokens":16,"mod\\u0065l":"x"}`, key: 'model' },
  ])('$where: a second "$key" is a 400 naming the key, and nothing is sent upstream', async ({ path, body, key }) => {
    const bedrockBefore = emulator.received.length;
    const anthropicBefore = anthropic.connections.reduce((n, c) => n + c.requests.length, 0);
    const res = await post(path, body);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      type: 'error',
      error: { type: 'invalid_request_error', message: `request body has the top-level key "${key}" more than once` },
    });
    expect(emulator.received.length).toBe(bedrockBefore);
    expect(anthropic.connections.reduce((n, c) => n + c.requests.length, 0)).toBe(anthropicBefore);
  });

  it('keys that repeat only inside a member are left to the upstream (the same key in two messages is normal)', async () => {
    const res = await post('/anything/v1/messages', `{"model":"${MODEL}","max_tokens":16,"messages":[{"role":"user","content":"a"},{"role":"assistant","content":"b"},{"role":"user","content":"c"}]}`);
    expect(res.status).toBe(200);
  });
});
