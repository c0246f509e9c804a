import { describe, expect, it } from 'vitest';
import { redactQueryParam } from '../../src/stats/redact-query.js';
import { validate } from '../../src/config/validate.js';
import type { AiProxyConfig } from '../../src/config/types.js';

describe('provider keys in the upstream query never reach the log', () => {
  it('replaces only the named parameter', () => {
    expect(redactQueryParam('/v1/messages?beta=true&key=sk-ant-secret&x=1', 'key')).toBe('/v1/messages?beta=true&key=REDACTED&x=1');
    expect(redactQueryParam('/v1/messages?k%65y=sk-ant-secret', 'key')).toBe('/v1/messages?k%65y=REDACTED');
    expect(redactQueryParam('/v1/messages', 'key')).toBe('/v1/messages');
  });

  it('refuses header or param auth for bedrock, which signs with AWS keys', () => {
    const config = { llm_format: 'anthropic', route_type: 'llm/v1/chat', auth: { header_name: 'authorization', header_value: 'Bearer x', allow_override: false }, model: { provider: 'bedrock', name: 'm' } } as unknown as AiProxyConfig;
    expect(validate(config).map((i) => i.path)).toEqual(['auth.header_name']);
  });
});
