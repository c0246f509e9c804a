/**
 * Container credentials (ECS task roles, EKS Pod Identity), end to end: no keys, only
 * AWS_CONTAINER_CREDENTIALS_FULL_URI and AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE, as the Pod Identity
 * agent's webhook sets them. A local agent stand-in hands out credentials the Bedrock emulator accepts.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBedrockEmulator, type Emulator } from '@gw/bedrock-emulator';
import { setEnv, startGateway, tempDir, type RunningGateway } from './support/gateway.js';
import { askMessages, keylessBedrockConfig } from './support/bedrock.js';

const POD_CREDENTIALS = { accessKeyId: 'ASIAPODIDENTITY0001', secretAccessKey: 'podSecret/Zq81+VtLm3NbX0c7Ry2Wk', sessionToken: 'pod-session-token-1' };

describe('ai-proxy with container credentials (EKS Pod Identity / ECS), real gateway and emulator', () => {
  let emulator: Emulator;
  let agent: http.Server;
  let gw: RunningGateway;
  let restoreEnv: () => void;
  const agentCalls: Array<string | undefined> = [];

  beforeAll(async () => {
    emulator = await startBedrockEmulator({ credentials: [POD_CREDENTIALS] });
    agent = http.createServer((req, res) => {
      agentCalls.push(req.headers.authorization);
      if (req.url !== '/v1/credentials' || req.headers.authorization !== 'pod-token-1') {
        res.writeHead(400).end('{"Message":"invalid token"}');
        return;
      }
      const expiration = new Date(Date.now() + 3600_000).toISOString();
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ AccessKeyId: POD_CREDENTIALS.accessKeyId, SecretAccessKey: POD_CREDENTIALS.secretAccessKey, Token: POD_CREDENTIALS.sessionToken, AccountId: '123456789012', Expiration: expiration }));
    });
    await new Promise<void>((resolve) => agent.listen(0, '127.0.0.1', resolve));
    const tokenFile = join(tempDir(), 'eks-pod-identity-token');
    // As the EKS Pod Identity webhook mounts it: the token alone (the AWS SDK sends the file's content as it is).
    writeFileSync(tokenFile, 'pod-token-1');
    restoreEnv = setEnv({
      AWS_ENDPOINT_URL_BEDROCK_RUNTIME: `http://127.0.0.1:${emulator.port}`,
      AWS_CONTAINER_CREDENTIALS_FULL_URI: `http://127.0.0.1:${(agent.address() as AddressInfo).port}/v1/credentials`,
      AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: tokenFile,
      AWS_ACCESS_KEY_ID: '',
      AWS_SECRET_ACCESS_KEY: '',
      AWS_ROLE_ARN: '',
      AWS_WEB_IDENTITY_TOKEN_FILE: '',
    });
    gw = await startGateway(keylessBedrockConfig('pod'));
  });
  afterAll(async () => {
    await gw?.close();
    restoreEnv?.();
    await new Promise((resolve) => agent?.close(resolve));
    await emulator?.close();
  });

  it('signs with the agent credentials, fetched once with the token from the file', async () => {
    const before = emulator.received.length;
    expect((await Promise.all([askMessages(gw.url, 'pod'), askMessages(gw.url, 'pod')])).map((a) => a.status)).toEqual([200, 200]);
    expect(agentCalls).toEqual(['pod-token-1']);
    for (const invoke of emulator.received.slice(before)) {
      expect(invoke.signatureValid).toBe(true);
      expect(invoke.headers.authorization).toContain(`Credential=${POD_CREDENTIALS.accessKeyId}/`);
      expect(invoke.headers['x-amz-security-token']).toBe(POD_CREDENTIALS.sessionToken);
    }
    expect(gw.messages.join('\n')).not.toContain(POD_CREDENTIALS.secretAccessKey);
  });

  it('never fetches over plain http from anything but loopback or the ECS/EKS agents: the AWS SDK passes such a URL over, leaving no credentials', async () => {
    const restore = setEnv({ AWS_CONTAINER_CREDENTIALS_FULL_URI: 'http://credentials.example.test/v1/credentials' });
    // A new plugin instance: the SDK's chain reads the environment when it first runs, and holds what it got.
    const fresh = await startGateway(keylessBedrockConfig('pod'));
    try {
      const answer = await askMessages(fresh.url, 'pod');
      expect(answer.status).toBe(500);
      expect(await answer.json()).toEqual({
        type: 'error',
        error: { type: 'api_error', message: 'LLM request failed before proxying: no AWS credentials configured' },
      });
      expect(agentCalls).toEqual(['pod-token-1']); // only the first test's fetch
    } finally {
      await fresh.close();
      restore();
    }
  });
});
