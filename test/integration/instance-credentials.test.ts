/**
 * EC2 instance profile credentials (IMDSv2), end to end against a local metadata stand-in: the last
 * source of the chain, used when nothing else is configured. Its absence is remembered, so a gateway
 * without credentials answers at once rather than waiting on the metadata service for every request.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBedrockEmulator, type Emulator } from '@gw/bedrock-emulator';
import { setEnv, startGateway, type RunningGateway } from './support/gateway.js';
import { askMessages, keylessBedrockConfig } from './support/bedrock.js';

const ROLE_CREDENTIALS = { accessKeyId: 'ASIAINSTANCEPROFILE1', secretAccessKey: 'instanceSecret/Pq72+XyVn4MbW1d8Tz3', sessionToken: 'instance-session-token' };

/** IMDSv2: a token from PUT /latest/api/token is required on every GET. `role` empty: no profile attached. */
function metadataService(role: string) {
  const calls: string[] = [];
  const server = http.createServer((req, res) => {
    calls.push(`${req.method} ${req.url}`);
    if (req.method === 'PUT' && req.url === '/latest/api/token' && req.headers['x-aws-ec2-metadata-token-ttl-seconds']) {
      res.end('imds-session-token');
      return;
    }
    if (req.headers['x-aws-ec2-metadata-token'] !== 'imds-session-token') {
      res.writeHead(401).end();
      return;
    }
    if (req.url === '/latest/meta-data/iam/security-credentials/' && role !== '') {
      res.end(`${role}\n`);
      return;
    }
    if (req.url === `/latest/meta-data/iam/security-credentials/${role}` && role !== '') {
      const Expiration = new Date(Date.now() + 6 * 3600_000).toISOString();
      res.end(JSON.stringify({ Code: 'Success', Type: 'AWS-HMAC', AccessKeyId: ROLE_CREDENTIALS.accessKeyId, SecretAccessKey: ROLE_CREDENTIALS.secretAccessKey, Token: ROLE_CREDENTIALS.sessionToken, Expiration }));
      return;
    }
    res.writeHead(404).end();
  });
  return { server, calls };
}

describe('ai-proxy with EC2 instance profile credentials (IMDSv2), real gateway and emulator', () => {
  let emulator: Emulator;
  const withRole = metadataService('gw-instance-role');
  const withoutRole = metadataService('');
  let gw: RunningGateway;
  let restoreEnv: () => void;
  const portOf = (s: http.Server) => (s.address() as AddressInfo).port;

  beforeAll(async () => {
    emulator = await startBedrockEmulator({ credentials: [ROLE_CREDENTIALS] });
    for (const s of [withRole.server, withoutRole.server]) await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
    restoreEnv = setEnv({
      AWS_ENDPOINT_URL_BEDROCK_RUNTIME: `http://127.0.0.1:${emulator.port}`,
      AWS_EC2_METADATA_DISABLED: '',
      AWS_EC2_METADATA_SERVICE_ENDPOINT: `http://127.0.0.1:${portOf(withRole.server)}`,
      AWS_ACCESS_KEY_ID: '',
      AWS_SECRET_ACCESS_KEY: '',
      AWS_ROLE_ARN: '',
      AWS_CONTAINER_CREDENTIALS_FULL_URI: '',
      AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: '',
    });
    gw = await startGateway(keylessBedrockConfig('ec2'));
  });
  afterAll(async () => {
    await gw?.close();
    restoreEnv?.();
    for (const s of [withRole.server, withoutRole.server]) await new Promise((resolve) => s.close(resolve));
    await emulator?.close();
  });

  it("signs with the instance role's credentials, fetched once through an IMDSv2 session", async () => {
    const before = emulator.received.length;
    expect((await Promise.all([askMessages(gw.url, 'ec2'), askMessages(gw.url, 'ec2')])).map((a) => a.status)).toEqual([200, 200]);
    expect(withRole.calls).toEqual([
      'PUT /latest/api/token',
      'GET /latest/meta-data/iam/security-credentials/',
      'GET /latest/meta-data/iam/security-credentials/gw-instance-role',
    ]);
    for (const invoke of emulator.received.slice(before)) {
      expect(invoke.signatureValid).toBe(true);
      expect(invoke.headers['x-amz-security-token']).toBe(ROLE_CREDENTIALS.sessionToken);
    }
  });

  it('answers no-credentials at once when the instance has no role, and does not ask again for a while', async () => {
    const restore = setEnv({ AWS_EC2_METADATA_SERVICE_ENDPOINT: `http://127.0.0.1:${portOf(withoutRole.server)}` });
    // A new plugin instance: the SDK's chain reads the environment when it first runs, and holds what it got.
    const fresh = await startGateway(keylessBedrockConfig('ec2'));
    try {
      for (let i = 0; i < 2; i++) {
        const answer = await askMessages(fresh.url, 'ec2');
        expect(answer.status).toBe(500);
        expect(((await answer.json()) as { error: { message: string } }).error.message).toBe('LLM request failed before proxying: no AWS credentials configured');
      }
      // Asked once (by the AWS SDK's IMDS client), then remembered by gw for a minute.
      const calls = [...withoutRole.calls];
      expect(calls).toContain('GET /latest/meta-data/iam/security-credentials/');
      expect((await askMessages(fresh.url, 'ec2')).status).toBe(500);
      expect(withoutRole.calls).toEqual(calls);
    } finally {
      await fresh.close();
      restore();
    }
  });
});
