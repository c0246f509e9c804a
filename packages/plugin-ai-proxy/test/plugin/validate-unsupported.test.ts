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

  it('refuses an assumed role instead of signing with the base credentials', () => {
    const config = structuredClone(base) as any;
    config.model.options.bedrock.aws_assume_role_arn = 'arn:aws:iam::1:role/x';
    expect(validate(config)).toEqual([
      { path: 'model.options.bedrock.aws_assume_role_arn', message: expect.stringContaining('is not supported yet by gw') },
    ]);
  });

  it('refuses cost modifiers it would not apply', () => {
    const config = structuredClone(base) as any;
    config.model.options.context_window_factor = [{ above: 200000, input_factor: 2 }];
    expect(validate(config).map((i) => i.path)).toEqual(['model.options.context_window_factor']);
  });
});
