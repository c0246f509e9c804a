/**
 * gw's own errors come in the client's format from the first byte of a request: on an ai-proxy route a
 * key-auth 401 (key-auth runs before ai-proxy) is an Anthropic error, which is what Claude Code and the
 * Anthropic SDK parse; on a plain route it is Kong's `{"message"}`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setEnv, startGateway, type RunningGateway } from './support/gateway.js';

const yaml = `
_format_version: "3.0"
consumers:
  - username: dev
    keyauth_credentials: [{ key: dev-key }]
services:
  - name: llm
    url: http://127.0.0.1:9
    routes:
      - name: llm
        paths: [/llm]
        plugins:
          - name: key-auth
            config: { key_names: [x-api-key] }
          - name: ai-proxy
            config:
              llm_format: anthropic
              route_type: llm/v1/chat
              auth: { aws_access_key_id: AKIDEXAMPLE, aws_secret_access_key: secret }
              model: { provider: bedrock, name: m, options: { bedrock: { aws_region: us-east-1 } } }
      - name: plain
        paths: [/plain]
        plugins:
          - name: key-auth
            config: { key_names: [x-api-key] }
`;

let gw: RunningGateway;
let restoreEnv: () => void;
beforeAll(async () => {
  // Bedrock is a closed local port: nothing may leave the machine, and an upstream failure is testable.
  restoreEnv = setEnv({ AWS_ENDPOINT_URL_BEDROCK_RUNTIME: 'http://127.0.0.1:9' });
  gw = await startGateway(yaml);
});
afterAll(async () => {
  await gw?.close();
  restoreEnv?.();
});

describe('error format before ai-proxy runs', () => {
  it('answers a missing key on an ai-proxy route as an Anthropic authentication_error', async () => {
    const res = await fetch(`${gw.url}/llm/v1/messages`, { method: 'POST', body: '{}' });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ type: 'error', error: { type: 'authentication_error', message: 'No API key found in request' } });
  });

  it('answers Bedrock being unreachable as an Anthropic api_error 502, which Claude Code retries', async () => {
    const res = await fetch(`${gw.url}/llm/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': 'dev-key', 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'm', max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(res.status).toBe(502);
    expect(await res.json()).toEqual({ type: 'error', error: { type: 'api_error', message: 'An invalid response was received from the upstream server' } });
  });

  it("keeps Kong's shape on a plain route", async () => {
    const res = await fetch(`${gw.url}/plain/x`);
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ message: 'No API key found in request' });
  });
});
