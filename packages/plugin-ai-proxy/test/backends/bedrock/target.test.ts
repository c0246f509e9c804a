import { describe, expect, it } from 'vitest';
import { GatewayError } from '@gw/plugin-api';
import { resolveRegion } from '../../../src/backends/bedrock/region.js';
import { credentialsFor, newAwsAuthState } from '../../../src/auth/aws/credentials.js';
import { countTokensModelId, encodeModelId, modelPath, resolveEndpoint } from '../../../src/backends/bedrock/url.js';
import type { AiProxyConfig } from '../../../src/config/types.js';
import { aiProxyConfig } from '../../support/config.js';

function config(extra: { region?: string; keys?: [string, string]; upstream_url?: string } = {}): AiProxyConfig {
  return aiProxyConfig({
    auth: extra.keys ? { aws_access_key_id: extra.keys[0], aws_secret_access_key: extra.keys[1] } : undefined,
    model: { provider: 'bedrock', name: 'm', options: { upstream_url: extra.upstream_url, bedrock: extra.region ? { aws_region: extra.region } : undefined } },
  });
}

describe('model ids in the path', () => {
  it('encodes : and an ARN / so the id stays one segment', () => {
    expect(encodeModelId('us.anthropic.claude-haiku-4-5-20251001-v1:0')).toBe('us.anthropic.claude-haiku-4-5-20251001-v1%3A0');
    expect(modelPath('', 'arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc123', 'invoke')).toBe(
      '/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Aapplication-inference-profile%2Fabc123/invoke',
    );
    expect(modelPath('/p', 'anthropic.claude-3-5-haiku-20241022-v1:0', 'invoke-with-response-stream')).toBe(
      '/p/model/anthropic.claude-3-5-haiku-20241022-v1%3A0/invoke-with-response-stream',
    );
  });

  it('CountTokens uses the foundation model id', () => {
    expect(countTokensModelId('us.anthropic.claude-haiku-4-5-20251001-v1:0')).toBe('anthropic.claude-haiku-4-5-20251001-v1:0');
    expect(countTokensModelId('global.anthropic.claude-sonnet-4-5-20250929-v1:0')).toBe('anthropic.claude-sonnet-4-5-20250929-v1:0');
    expect(countTokensModelId('apac.anthropic.claude-sonnet-4-20250514-v1:0')).toBe('anthropic.claude-sonnet-4-20250514-v1:0');
    expect(countTokensModelId('anthropic.claude-haiku-4-5-20251001-v1:0')).toBe('anthropic.claude-haiku-4-5-20251001-v1:0');
    const arn = 'arn:aws:bedrock:us-east-1:1:inference-profile/us.anthropic.claude-haiku-4-5-20251001-v1:0';
    expect(countTokensModelId(arn)).toBe(arn);
  });
});

describe('endpoint precedence', () => {
  it('upstream_url, then AWS_ENDPOINT_URL_BEDROCK_RUNTIME, then AWS_ENDPOINT_URL, then the regional host', () => {
    const env = { AWS_ENDPOINT_URL_BEDROCK_RUNTIME: 'http://127.0.0.1:9001', AWS_ENDPOINT_URL: 'http://127.0.0.1:9002' };
    expect(resolveEndpoint('http://127.0.0.1:9000/base/', 'eu-west-1', env)).toEqual({ scheme: 'http', host: '127.0.0.1', port: 9000, prefix: '/base' });
    expect(resolveEndpoint(undefined, 'eu-west-1', env).port).toBe(9001);
    expect(resolveEndpoint(undefined, 'eu-west-1', { AWS_ENDPOINT_URL: 'http://127.0.0.1:9002' }).port).toBe(9002);
    expect(resolveEndpoint(undefined, 'eu-west-1', {})).toEqual({ scheme: 'https', host: 'bedrock-runtime.eu-west-1.amazonaws.com', port: 443, prefix: '' });
  });

  it("keeps only the prefix of a Kong-style full URL", () => {
    expect(resolveEndpoint('https://h.example/x/model/us.anthropic.m-v1:0/invoke', 'r', {}).prefix).toBe('/x');
  });
});

describe('region and credentials precedence', () => {
  const noProfile = async () => ({});
  it('region: config, then AWS_REGION, then AWS_DEFAULT_REGION, then the profile, else GW_ERR_AI_NO_REGION', async () => {
    expect(await resolveRegion(config({ region: 'eu-west-1' }), { AWS_REGION: 'us-east-1' }, noProfile)).toBe('eu-west-1');
    expect(await resolveRegion(config(), { AWS_REGION: 'us-east-1', AWS_DEFAULT_REGION: 'us-west-2' }, noProfile)).toBe('us-east-1');
    expect(await resolveRegion(config(), { AWS_DEFAULT_REGION: 'us-west-2' }, noProfile)).toBe('us-west-2');
    expect(await resolveRegion(config(), {}, async () => ({ region: 'ap-south-1' }))).toBe('ap-south-1');
    await expect(resolveRegion(config(), {}, noProfile)).rejects.toMatchObject({ code: 'GW_ERR_AI_NO_REGION' });
    await expect(resolveRegion(config(), {}, async () => ({ missing: "AWS profile 'x' (AWS_PROFILE) is in neither a nor b" }))).rejects.toMatchObject({ code: 'GW_ERR_AI_CREDENTIALS_FAILED' });
  });

  /** The SDK's chain reads process.env: set it for one call. */
  async function withEnv<T>(env: Record<string, string>, run: () => Promise<T>): Promise<T> {
    const names = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_ROLE_ARN', 'AWS_WEB_IDENTITY_TOKEN_FILE', 'AWS_PROFILE', 'AWS_CONTAINER_CREDENTIALS_FULL_URI', 'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI'];
    const saved = Object.fromEntries(names.map((name) => [name, process.env[name]]));
    for (const name of names) delete process.env[name];
    Object.assign(process.env, env);
    try {
      return await run();
    } finally {
      for (const name of names) {
        if (saved[name] === undefined) delete process.env[name];
        else process.env[name] = saved[name];
      }
    }
  }
  const quiet = { warn: () => undefined };

  it('credentials: config pair, then the SDK chain (env pair with its session token), else GW_ERR_AI_NO_CREDENTIALS', async () => {
    const env = { AWS_ACCESS_KEY_ID: 'ENVKEY', AWS_SECRET_ACCESS_KEY: 'envsecret', AWS_SESSION_TOKEN: 'tok' };
    const region = 'us-east-1';
    await withEnv(env, async () => {
      expect(await credentialsFor(config({ keys: ['CFGKEY', 'cfgsecret'] }), newAwsAuthState(quiet), region)).toEqual({ accessKeyId: 'CFGKEY', secretAccessKey: 'cfgsecret' });
      expect(await credentialsFor(config(), newAwsAuthState(quiet), region)).toMatchObject({ accessKeyId: 'ENVKEY', secretAccessKey: 'envsecret', sessionToken: 'tok' });
    });
    await withEnv({ AWS_ACCESS_KEY_ID: 'A', AWS_SECRET_ACCESS_KEY: 'B' }, async () => {
      expect(await credentialsFor(config(), newAwsAuthState(quiet), region)).toMatchObject({ accessKeyId: 'A', secretAccessKey: 'B' });
    });
    // (vitest.config.ts: no shared files, no instance metadata)
    await withEnv({ AWS_ACCESS_KEY_ID: 'only-half' }, async () => {
      await expect(credentialsFor(config(), newAwsAuthState(quiet), region)).rejects.toMatchObject({ code: 'GW_ERR_AI_NO_CREDENTIALS' });
    });
    // Half a web identity is no identity either.
    await withEnv({ AWS_ROLE_ARN: 'arn:aws:iam::1:role/x' }, async () => {
      await expect(credentialsFor(config(), newAwsAuthState(quiet), region)).rejects.toMatchObject({ code: 'GW_ERR_AI_NO_CREDENTIALS' });
    });
  });

  it('error messages never carry a secret', async () => {
    const caught = await withEnv({ AWS_SECRET_ACCESS_KEY: 'supersecret' }, () => credentialsFor(config(), newAwsAuthState(quiet), 'us-east-1').catch((error: unknown) => error));
    expect(GatewayError.is(caught)).toBe(true);
    expect((caught as GatewayError).message).not.toContain('supersecret');
    expect((caught as GatewayError).status).toBe(500);
  });
});
