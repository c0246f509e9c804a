import { describe, expect, it } from 'vitest';
import { toBedrockBody } from '../../../src/translators/anthropic-bedrock/body.js';
import type { ModelOptions } from '../../../src/config/types.js';
import { anthropicToBedrock } from '../../../src/translators/anthropic-bedrock/index.js';
/** The body as the Bedrock pair reads it (with its beta policy's words indexed). */
const parseForBedrock = (bytes: Uint8Array) => anthropicToBedrock.parseBody(bytes);

/** The body as access reads it (parseMessagesBody), which is what toBedrockBody takes. */
const bytesOf = (text: string) => parseForBedrock(Buffer.from(text, 'utf8'));

function bedrock(body: Record<string, unknown>, options: ModelOptions) {
  const out = toBedrockBody({ body: bytesOf(JSON.stringify({ messages: [{ role: 'user', content: 'hi' }], ...body })), model: 'm', headerBetas: [], options });
  return { body: JSON.parse(Buffer.concat(out.body).toString('utf8')) as Record<string, unknown>, skipped: out.skippedOptions, pieces: out.body.length };
}

describe('model.options overrides (Kong: options replace the request values)', () => {
  it('replaces and adds sampling fields when thinking is off', () => {
    const { body, skipped } = bedrock({ max_tokens: 32000, temperature: 0.2 }, { max_tokens: 8192, temperature: 0.7, top_k: 40, top_p: 0.5 });
    // Both configured: the operator's choice is kept as is.
    expect(body).toMatchObject({ max_tokens: 8192, temperature: 0.7, top_k: 40, top_p: 0.5 });
    expect(skipped).toEqual([]);
  });

  it('keeps the request max_tokens when the override is not above thinking.budget_tokens (Claude Code 2.1.330 + Kong example)', () => {
    const { body, skipped } = bedrock({ max_tokens: 32000, thinking: { type: 'enabled', budget_tokens: 31999 } }, { max_tokens: 8192 });
    expect(body.max_tokens).toBe(32000);
    expect(skipped).toEqual(['max_tokens']);
    expect(bedrock({ max_tokens: 32000, thinking: { type: 'enabled', budget_tokens: 8192 } }, { max_tokens: 8192 }).body.max_tokens).toBe(32000);
  });

  it('applies a max_tokens override above the budget', () => {
    expect(bedrock({ max_tokens: 32000, thinking: { type: 'enabled', budget_tokens: 4096 } }, { max_tokens: 8192 }).body.max_tokens).toBe(8192);
  });

  it('with thinking on, skips temperature / top_k and a top_p below 0.95', () => {
    const { body, skipped } = bedrock({ max_tokens: 5000, thinking: { type: 'enabled', budget_tokens: 4096 } }, { temperature: 0.3, top_k: 5, top_p: 0.5 });
    expect(body).not.toHaveProperty('temperature');
    expect(body).not.toHaveProperty('top_k');
    expect(body).not.toHaveProperty('top_p');
    expect(skipped).toEqual(['temperature', 'top_k', 'top_p']);
    expect(bedrock({ thinking: { type: 'enabled', budget_tokens: 1024 } }, { top_p: 0.97 }).body.top_p).toBe(0.97);
  });

  it('a configured temperature replaces the client top_p and vice versa', () => {
    expect(bedrock({ top_p: 0.9 }, { temperature: 0.5 }).body).toEqual({ messages: [{ role: 'user', content: 'hi' }], temperature: 0.5, anthropic_version: 'bedrock-2023-05-31' });
    expect(bedrock({ temperature: 0.9 }, { top_p: 0.5 }).body).toEqual({ messages: [{ role: 'user', content: 'hi' }], top_p: 0.5, anthropic_version: 'bedrock-2023-05-31' });
    expect(bedrock({ temperature: 0.9, top_p: 0.1 }, {}).body).toMatchObject({ temperature: 0.9, top_p: 0.1 });
  });

  it('treats disabled thinking as off', () => {
    expect(bedrock({ max_tokens: 100, thinking: { type: 'disabled' } }, { temperature: 1 }).body.temperature).toBe(1);
  });

  it('applies overrides to a body that goes out in pieces (a large member is sent as a slice of the client bytes)', () => {
    const system = 'x'.repeat(4096);
    const { body, skipped, pieces } = bedrock({ system, max_tokens: 32000, temperature: 0.2 }, { max_tokens: 8192, temperature: 0.7 });
    expect(pieces).toBeGreaterThan(1);
    expect(body).toMatchObject({ system, max_tokens: 8192, temperature: 0.7, anthropic_version: 'bedrock-2023-05-31' });
    expect(skipped).toEqual([]);
  });
});
