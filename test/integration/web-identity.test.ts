/**
 * Web identity credentials (EKS IRSA), end to end: no keys anywhere, only AWS_ROLE_ARN and
 * AWS_WEB_IDENTITY_TOKEN_FILE as the kubelet sets them. gw trades the token with the emulator's STS
 * (AssumeRoleWithWebIdentity), signs Bedrock calls with what it gets, chains an `aws_assume_role_arn`
 * on top when configured, and reads the token file again when it asks STS again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startBedrockEmulator, type Emulator } from '@gw/bedrock-emulator';
import { setEnv, startGateway, tempDir, type RunningGateway } from './support/gateway.js';
import { AWS_KEYS, MODEL, askMessages } from './support/bedrock.js';

const aiProxy = (name: string, role?: string) => `
      - name: ${name}
        paths: [/${name}]
        plugins:
          - name: ai-proxy
            config:
              llm_format: anthropic
              route_type: llm/v1/chat
              model:
                provider: bedrock
                name: ${MODEL}
                options:
                  bedrock:
                    aws_region: us-east-1${role ? `\n                    aws_assume_role_arn: ${role}` : ''}`;

describe('ai-proxy with web identity credentials (IRSA), real gateway, emulated STS and Bedrock', () => {
  let emulator: Emulator;
  let gw: RunningGateway;
  let restoreEnv: () => void;
  let tokenFile: string;

  beforeAll(async () => {
    emulator = await startBedrockEmulator({ credentials: [AWS_KEYS] });
    const url = `http://127.0.0.1:${emulator.port}`;
    tokenFile = join(tempDir(), 'token');
    // As the kubelet writes it: the token alone, no newline (the AWS SDK sends the file's content as it is).
    writeFileSync(tokenFile, 'eks-token-1');
    restoreEnv = setEnv({
      AWS_ENDPOINT_URL_BEDROCK_RUNTIME: url,
      AWS_ENDPOINT_URL_STS: url,
      AWS_ROLE_ARN: 'arn:aws:iam::123456789012:role/irsa-gw',
      AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile,
      AWS_ROLE_SESSION_NAME: 'gw-pod-1',
      // Keys in the developer's shell must not win over the identity under test.
      AWS_ACCESS_KEY_ID: '',
      AWS_SECRET_ACCESS_KEY: '',
    });
    gw = await startGateway(`_format_version: "3.0"
services:
  - name: bedrock
    url: http://127.0.0.1:9
    routes:${aiProxy('irsa')}${aiProxy('chained', 'arn:aws:iam::123456789012:role/bedrock-user')}
`);
  });
  afterAll(async () => {
    await gw?.close();
    restoreEnv?.();
    await emulator?.close();
  });

  const ask = (route: string) => askMessages(gw.url, route);

  it('trades the token once and signs Bedrock calls with the temporary credentials', async () => {
    const before = emulator.received.length;
    expect((await Promise.all([ask('irsa'), ask('irsa')])).map((a) => a.status)).toEqual([200, 200]);
    const seen = emulator.received.slice(before);
    const sts = seen.filter((r) => r.operation === 'assume-role-with-web-identity');
    expect(sts).toHaveLength(1);
    const form = new URLSearchParams(sts[0]!.body.toString());
    expect(Object.fromEntries(form)).toMatchObject({ RoleArn: 'arn:aws:iam::123456789012:role/irsa-gw', RoleSessionName: 'gw-pod-1', WebIdentityToken: 'eks-token-1' });
    expect(sts[0]!.headers.authorization).toBeUndefined(); // unsigned: the token is the proof
    for (const invoke of seen.filter((r) => r.operation === 'invoke')) {
      expect(invoke.signatureValid).toBe(true);
      expect(invoke.headers.authorization).toMatch(/Credential=ASIA[0-9A-F]+\//);
    }
  });

  it('chains aws_assume_role_arn on top: AssumeRole signed with the web identity credentials', async () => {
    const before = emulator.received.length;
    expect((await ask('chained')).status).toBe(200);
    const seen = emulator.received.slice(before);
    const assume = seen.find((r) => r.operation === 'assume-role')!;
    expect(assume.signatureValid).toBe(true);
    expect(assume.headers.authorization).toMatch(/Credential=ASIA[0-9A-F]+\//);
    expect(assume.headers['x-amz-security-token']).toBeTruthy();
    const invoke = seen.find((r) => r.operation === 'invoke')!;
    expect(invoke.signatureValid).toBe(true);
    // Signed with the chained role's key, not with the web identity's that signed AssumeRole.
    const keyOf = (authorization: string | undefined) => /Credential=([^/]+)\//.exec(authorization ?? '')?.[1];
    expect(keyOf(invoke.headers.authorization)).toMatch(/^ASIA/);
    expect(keyOf(invoke.headers.authorization)).not.toBe(keyOf(assume.headers.authorization));
  });

  it('reads the token file again on the next STS call, and reports a refused token by its STS code', async () => {
    writeFileSync(tokenFile, 'invalid-token');
    // A new plugin instance (a reload) asks STS again: the AWS SDK reads the token file for every STS call.
    const restore = setEnv({ AWS_ROLE_SESSION_NAME: 'gw-pod-2' });
    const fresh = await startGateway(`_format_version: "3.0"
services:
  - name: bedrock
    url: http://127.0.0.1:9
    routes:${aiProxy('irsa')}
`);
    try {
      const answer = await askMessages(fresh.url, 'irsa');
      expect(answer.status).toBe(500);
      expect(await answer.json()).toEqual({
        type: 'error',
        error: { type: 'api_error', message: 'LLM request failed before proxying: could not assume the AWS role (InvalidIdentityToken)' },
      });
      const sts = emulator.received.filter((r) => r.operation === 'assume-role-with-web-identity').at(-1)!;
      expect(new URLSearchParams(sts.body.toString()).get('WebIdentityToken')).toBe('invalid-token');
    } finally {
      await fresh.close();
      restore();
    }
  });
});
