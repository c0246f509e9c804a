/**
 * `model.options.bedrock.aws_assume_role_arn` end to end: gw asks the emulator's STS for temporary
 * credentials with the base keys, signs Bedrock calls with them (session token included), reuses them
 * across requests, and answers an Anthropic-format 500 naming STS's error when the role can't be assumed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBedrockEmulator, type Emulator } from '@gw/bedrock-emulator';
import { setEnv, startGateway, type RunningGateway } from './support/gateway.js';
import { AWS_KEYS, MODEL, askMessages, deckEnv } from './support/bedrock.js';
import { credentialsFor, newAwsAuthState } from '../../packages/plugin-ai-proxy/src/auth/aws/credentials.js';

const route = (name: string, roleArn: string, sts: string) => `
      - name: ${name}
        paths: [/${name}]
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
                    aws_assume_role_arn: ${roleArn}
                    aws_role_session_name: gw-test
                    aws_sts_endpoint_url: ${sts}`;

describe('ai-proxy with an assumed AWS role (real gateway, emulated STS and Bedrock)', () => {
  let emulator: Emulator;
  let gw: RunningGateway;
  let restoreEnv: () => void;

  beforeAll(async () => {
    emulator = await startBedrockEmulator({ credentials: [AWS_KEYS] });
    const url = `http://127.0.0.1:${emulator.port}`;
    restoreEnv = setEnv({ AWS_ENDPOINT_URL_BEDROCK_RUNTIME: url });
    const yaml = `_format_version: "3.0"
services:
  - name: bedrock
    url: http://127.0.0.1:9
    routes:${route('role', 'arn:aws:iam::123456789012:role/gw-bedrock', url)}${route('denied', 'arn:aws:iam::123456789012:role/denied', url)}${route('nosts', 'arn:aws:iam::123456789012:role/gw-bedrock', 'http://127.0.0.1:9')}
`;
    gw = await startGateway(yaml, { env: deckEnv });
  });
  afterAll(async () => {
    await gw?.close();
    restoreEnv?.();
    await emulator?.close();
  });

  const ask = (route: string) => askMessages(gw.url, route);

  it('signs Bedrock calls with the role credentials, from one STS call shared by requests', async () => {
    const before = emulator.received.length;
    const answers = await Promise.all([ask('role'), ask('role'), ask('role')]);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    const seen = emulator.received.slice(before);
    const sts = seen.filter((r) => r.operation === 'assume-role');
    expect(sts).toHaveLength(1);
    expect(sts[0]!.signatureValid).toBe(true);
    expect(new URLSearchParams(sts[0]!.body.toString()).get('RoleSessionName')).toBe('gw-test');
    expect(sts[0]!.headers.authorization).toContain(`Credential=${AWS_KEYS.accessKeyId}/`);
    const invokes = seen.filter((r) => r.operation === 'invoke');
    expect(invokes).toHaveLength(3);
    for (const invoke of invokes) {
      expect(invoke.signatureValid).toBe(true);
      expect(invoke.headers.authorization).toMatch(/Credential=ASIA[0-9A-F]+\//);
      expect(invoke.headers['x-amz-security-token']).toBeTruthy();
    }
    // A later request reuses them.
    expect((await ask('role')).status).toBe(200);
    expect(emulator.received.slice(before).filter((r) => r.operation === 'assume-role')).toHaveLength(1);
  });

  it("answers an Anthropic api_error 500 naming STS's code when the role can't be assumed, and calls no model", async () => {
    const before = emulator.received.length;
    const answer = await ask('denied');
    expect(answer.status).toBe(500);
    expect(await answer.json()).toEqual({
      type: 'error',
      error: { type: 'api_error', message: 'LLM request failed before proxying: could not assume the AWS role (AccessDenied)' },
    });
    expect(emulator.received.slice(before).map((r) => r.operation)).toEqual(['assume-role']);
  });

  it('says when STS is unreachable, and keeps the base secret out of every message', async () => {
    const answer = await ask('nosts');
    expect(answer.status).toBe(500);
    const text = await answer.text();
    expect(text).toContain('could not assume the AWS role (STS unreachable (ECONNREFUSED))');
    expect(text).not.toContain(AWS_KEYS.secretAccessKey);
    expect(gw.messages.join('\n')).not.toContain(AWS_KEYS.secretAccessKey);
  });

  it('renews the credentials five minutes before they expire, not earlier (the SDK default chain\'s margin, kept by gw)', async () => {
    const config = { auth: { aws_access_key_id: AWS_KEYS.accessKeyId, aws_secret_access_key: AWS_KEYS.secretAccessKey }, model: { provider: 'bedrock', name: MODEL, options: { bedrock: { aws_assume_role_arn: 'arn:aws:iam::123456789012:role/renewal', aws_sts_endpoint_url: `http://127.0.0.1:${emulator.port}` } } } } as never;
    const auth = newAwsAuthState({ warn: () => undefined });
    const realNow = Date.now;
    let clock = realNow();
    Date.now = () => clock;
    try {
      const first = await credentialsFor(config, auth, 'us-east-1');
      expect(first.accessKeyId).toMatch(/^ASIA/);
      clock += 54 * 60_000; // the emulator's credentials last an hour: 6 minutes left
      expect(await credentialsFor(config, auth, 'us-east-1')).toBe(first);
      clock += 2 * 60_000; // 4 minutes left
      const renewed = await credentialsFor(config, auth, 'us-east-1');
      expect(renewed.accessKeyId).not.toBe(first.accessKeyId);
      expect(renewed.accessKeyId).toMatch(/^ASIA/);
    } finally {
      Date.now = realNow;
    }
  });
});
