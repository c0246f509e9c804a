import { describe, expect, it } from 'vitest';
import { validateAnthropicBody } from '../src/validate.js';
import { fixtureJson } from './fixtures.js';

const base = { anthropic_version: 'bedrock-2023-05-31', max_tokens: 64, messages: [{ role: 'user', content: 'hi' }] };
const without = (key: string) => Object.fromEntries(Object.entries(base).filter(([k]) => k !== key));

describe('validateAnthropicBody', () => {
  it('accepts the bodies Claude Code sends in Bedrock mode', () => {
    let checked = 0;
    for (const file of ['claude-code-bedrock-mode-2.0.37.full.json', 'claude-code-bedrock-mode-2.1.330.full.json']) {
      for (const r of fixtureJson<{ requests: { body?: unknown }[] }>(file).requests) {
        if (!r.body) continue;
        expect(validateAnthropicBody(r.body)).toBeUndefined();
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(3);
  });

  it('requires anthropic_version bedrock-2023-05-31, max_tokens and messages', () => {
    expect(validateAnthropicBody(without('anthropic_version'))).toBe(
      'Malformed input request: #: required key [anthropic_version] not found, please reformat your input and try again.',
    );
    expect(validateAnthropicBody({ ...base, anthropic_version: '2023-06-01' })).toMatch(/anthropic_version/);
    expect(validateAnthropicBody(without('max_tokens'))).toMatch(/required key \[max_tokens\]/);
    expect(validateAnthropicBody(without('messages'))).toMatch(/required key \[messages\]/);
    expect(validateAnthropicBody({ ...base, messages: [] })).toMatch(/messages/);
    expect(validateAnthropicBody('"text"')).toMatch(/^Malformed input request/);
  });

  it('rejects model and stream (they belong to the path) with Bedrock wording', () => {
    expect(validateAnthropicBody({ ...base, model: 'claude' })).toBe(
      'Malformed input request: #: extraneous key [model] is not permitted, please reformat your input and try again.',
    );
    expect(validateAnthropicBody({ ...base, stream: true })).toMatch(/extraneous key \[stream\]/);
    expect(validateAnthropicBody({ ...base, context_management: {} })).toBe('context_management: Extra inputs are not permitted');
  });

  it('accepts known betas and rejects the ones Bedrock refuses', () => {
    expect(validateAnthropicBody({ ...base, anthropic_beta: ['interleaved-thinking-2025-05-14', 'tool-search-tool-2025-10-19'] })).toBeUndefined();
    for (const beta of ['prompt-caching-2024-07-31', 'extended-cache-ttl-2025-04-11', 'advanced-tool-use-2025-11-20', 'oauth-2025-04-20', 'made-up']) {
      expect(validateAnthropicBody({ ...base, anthropic_beta: [beta] })).toBe('invalid beta flag');
    }
    expect(validateAnthropicBody({ ...base, anthropic_beta: 'interleaved-thinking-2025-05-14' })).toMatch(/anthropic_beta/);
  });

  it('requires max_tokens above the thinking budget, and one of temperature / top_p', () => {
    expect(validateAnthropicBody({ ...base, max_tokens: 2048, thinking: { type: 'enabled', budget_tokens: 1024 } })).toBeUndefined();
    expect(validateAnthropicBody({ ...base, max_tokens: 1024, thinking: { type: 'enabled', budget_tokens: 1024 } })).toBe(
      'max_tokens must be greater than thinking.budget_tokens',
    );
    expect(validateAnthropicBody({ ...base, temperature: 0.5, top_p: 0.9 })).toMatch(/temperature/);
  });
});
