import { describe, expect, it } from 'vitest';
import { GatewayError } from '@gw/plugin-api';
import { classifyRoute, nativeTarget } from '../../../src/formats/bedrock/route.js';

const ID = 'us.anthropic.claude-haiku-4-5-20251001-v1:0';

function error(run: () => unknown): GatewayError {
  try {
    run();
  } catch (caught) {
    if (GatewayError.is(caught)) return caught;
    throw caught;
  }
  throw new Error('expected a GatewayError');
}

describe('Bedrock Runtime operations by path', () => {
  it('serves the five operations under any prefix; count-tokens is count_tokens', () => {
    for (const op of ['invoke', 'invoke-with-response-stream', 'converse', 'converse-stream']) expect(classifyRoute('POST', `/bedrock/model/${ID}/${op}`)).toBe('chat');
    expect(classifyRoute('POST', '/model/anthropic.claude-haiku-4-5-20251001-v1%3A0/count-tokens')).toBe('count_tokens');
    expect(classifyRoute('POST', `/a/b/model/${ID}/invoke/`)).toBe('chat');
  });

  it("answers 404 for the control plane (Claude Code's GET /inference-profiles) and unknown operations, 405 for other methods", () => {
    expect(error(() => classifyRoute('GET', '/bedrock/inference-profiles')).status).toBe(404);
    expect(error(() => classifyRoute('POST', `/model/${ID}/invoke-async`)).status).toBe(404);
    expect(error(() => classifyRoute('POST', '/model/invoke')).status).toBe(404);
    const method = error(() => classifyRoute('GET', `/model/${ID}/invoke`));
    expect(method.status).toBe(405);
    expect(method.headers).toEqual({ allow: 'POST' });
  });

  it('decodes the model segment after splitting: raw and encoded colons, ARNs with %2F', () => {
    const at = (rawPath: string, uriCaptures: Record<string, string> = {}) => nativeTarget({ rawPath, path: rawPath, uriCaptures });
    expect(at(`/bedrock/model/${ID}/invoke`)).toEqual({ modelId: ID, operation: 'invoke' });
    expect(at(`/bedrock/model/${encodeURIComponent(ID)}/converse-stream`)).toEqual({ modelId: ID, operation: 'converse-stream' });
    const arn = 'arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc';
    expect(at(`/model/${encodeURIComponent(arn)}/invoke`).modelId).toBe(arn);
    // Kong's named captures win when the route has them.
    expect(at('/llm/x/y', { model: encodeURIComponent(ID), operation: 'converse' })).toEqual({ modelId: ID, operation: 'converse' });
    expect(error(() => at('/model/%E0%A4%A/invoke')).status).toBe(400);
  });
});
