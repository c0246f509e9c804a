/**
 * The AWS SDK reads no proxy variable, so gw hands its credential calls (STS here; SSO and SSO OIDC the
 * same way) the outbound proxy's agents: with HTTP_PROXY set, the assume-role call reaches the emulated
 * STS through a real CONNECT proxy on loopback, and its credentials sign the Bedrock call.
 * (Its own file: the process's proxy agents are made once, from the environment at first use.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBedrockEmulator, type Emulator } from '@gw/bedrock-emulator';
import { setEnv, startGateway, type RunningGateway } from './support/gateway.js';
import { AWS_KEYS, MODEL, askMessages, deckEnv } from './support/bedrock.js';
import { startConnectProxy, type ConnectProxy } from '../support/connect-proxy.js';

describe('credential calls through the outbound proxy (real gateway, emulated STS and Bedrock, real proxy)', () => {
  let emulator: Emulator;
  let proxy: ConnectProxy;
  let gw: RunningGateway;
  let restoreEnv: () => void;

  beforeAll(async () => {
    emulator = await startBedrockEmulator({ credentials: [AWS_KEYS] });
    proxy = await startConnectProxy();
    const url = `http://127.0.0.1:${emulator.port}`;
    // Bedrock itself is reached by the test gateway directly (no outboundProxy given); only the SDK's call
    // sees the variables.
    restoreEnv = setEnv({ AWS_ENDPOINT_URL_BEDROCK_RUNTIME: url, HTTP_PROXY: proxy.url, http_proxy: proxy.url });
    const yaml = `_format_version: "3.0"
services:
  - name: bedrock
    url: http://127.0.0.1:9
    routes:
      - name: role
        paths: [/role]
        plugins:
          - name: ai-proxy
            config:
              llm_format: anthropic
              route_type: llm/v1/chat
              auth:
                aws_access_key_id: "\${aws_access_key_id}"
                aws_secret_access_key: "\${aws_secret_access_key}"
              model:
                provider: bedrock
                name: ${MODEL}
                options:
                  bedrock:
                    aws_region: us-east-1
                    aws_assume_role_arn: arn:aws:iam::123456789012:role/gw-bedrock
                    aws_role_session_name: gw-test
                    aws_sts_endpoint_url: ${url}
`;
    gw = await startGateway(yaml, { env: deckEnv });
  });
  afterAll(async () => {
    await gw?.close();
    restoreEnv?.();
    await proxy?.close();
    await emulator?.close();
  });

  it('assumes the role through the proxy and signs Bedrock with the role credentials', async () => {
    const answer = await askMessages(gw.url, 'role');
    expect(answer.status).toBe(200);
    expect(proxy.connects().map((c) => c.target)).toEqual([`127.0.0.1:${emulator.port}`]);
    const sts = emulator.received.filter((r) => r.operation === 'assume-role');
    expect(sts).toHaveLength(1);
    expect(sts[0]!.signatureValid).toBe(true);
    const invoke = emulator.received.find((r) => r.operation === 'invoke')!;
    expect(invoke.headers.authorization).toMatch(/Credential=ASIA[0-9A-F]+\//);
  });
});
