import { describe, expect, it } from 'vitest';
import { validate } from '../../src/config/validate.js';
import type { AiProxyConfig } from '../../src/config/types.js';

const base = {
  route_type: 'llm/v1/chat',
  llm_format: 'anthropic',
  auth: { allow_override: false, azure_use_managed_identity: false, gcp_use_service_account: false },
  model: { provider: 'bedrock', name: 'm', options: { bedrock: { aws_region: 'us-east-1' } } },
} as unknown as AiProxyConfig;

describe('ai-proxy validate: Kong fields gw does not act on yet', () => {
  it('accepts their defaults', () => {
    expect(validate(base)).toEqual([]);
  });

  it('accepts an assumed role now that gw implements it (test/integration/assume-role.test.ts)', () => {
    const config = structuredClone(base) as any;
    config.model.options.bedrock.aws_assume_role_arn = 'arn:aws:iam::1:role/x';
    config.model.options.bedrock.aws_sts_endpoint_url = 'https://sts.us-east-1.amazonaws.com';
    expect(validate(config)).toEqual([]);
  });

  it('still refuses a field it would ignore: performance_config_latency', () => {
    const config = structuredClone(base) as any;
    config.model.options.bedrock.performance_config_latency = 'optimized';
    expect(validate(config).map((i) => i.path)).toEqual(['model.options.bedrock.performance_config_latency']);
  });

  it('refuses cost modifiers it would not apply', () => {
    const config = structuredClone(base) as any;
    config.model.options.context_window_factor = [{ above: 200000, input_factor: 2 }];
    expect(validate(config).map((i) => i.path)).toEqual(['model.options.context_window_factor']);
  });
});
