// Body validation as Bedrock applies it to Anthropic models (docs/reference/bedrock.md#invokemodel-body); returns the
// ValidationException message, or undefined when the body is acceptable.

export const ANTHROPIC_VERSION = 'bedrock-2023-05-31';

const KNOWN_KEYS = new Set([
  'anthropic_version',
  'anthropic_beta',
  'max_tokens',
  'messages',
  'system',
  'temperature',
  'top_p',
  'top_k',
  'stop_sequences',
  'tools',
  'tool_choice',
  'thinking',
  'metadata',
  'output_config',
]);

/**
 * Betas public allowlists and probes report Bedrock accepting (docs/reference/bedrock.md#betas).
 * Anything else, including the flags seen rejected (`prompt-caching-2024-07-31`,
 * `extended-cache-ttl-2025-04-11`, `advanced-tool-use-2025-11-20`, `oauth-2025-04-20`, ...), gets
 * `invalid beta flag`.
 */
export const ACCEPTED_BETAS: readonly string[] = [
  'claude-code-20250219',
  'computer-use-2025-01-24',
  'computer-use-2025-11-24',
  'context-1m-2025-08-07',
  'context-management-2025-06-27',
  'effort-2025-11-24',
  'fine-grained-tool-streaming-2025-05-14',
  'interleaved-thinking-2025-05-14',
  'output-128k-2025-02-19',
  'structured-outputs-2025-12-15',
  'token-efficient-tools-2025-02-19',
  'tool-examples-2025-10-29',
  'tool-search-tool-2025-10-19',
];

const malformed = (detail: string) => `Malformed input request: ${detail}, please reformat your input and try again.`;

export function validateAnthropicBody(json: unknown): string | undefined {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return malformed('#: expected type: JSONObject, found: ' + (Array.isArray(json) ? 'JSONArray' : typeof json));
  }
  const body = json as Record<string, unknown>;
  // Fields Anthropic's own API rejects come back in its wording; the rest fail Bedrock's schema.
  if ('context_management' in body) return 'context_management: Extra inputs are not permitted';
  const extraneous = Object.keys(body).filter((k) => !KNOWN_KEYS.has(k));
  if (extraneous.length > 0) return malformed(`#: extraneous key [${extraneous[0]}] is not permitted`);
  for (const key of ['anthropic_version', 'max_tokens', 'messages']) {
    if (!(key in body)) return malformed(`#: required key [${key}] not found`);
  }
  if (body.anthropic_version !== ANTHROPIC_VERSION) {
    return malformed(`#/anthropic_version: ${JSON.stringify(body.anthropic_version)} is not a valid enum value`);
  }
  if (!Number.isInteger(body.max_tokens) || (body.max_tokens as number) < 1) {
    return malformed('#/max_tokens: expected minimum: 1 and type: integer');
  }
  if (!Array.isArray(body.messages) || body.messages.length === 0) {
    return malformed('#/messages: expected minimum item count: 1');
  }
  const betaProblem = checkBetas(body.anthropic_beta);
  if (betaProblem) return betaProblem;
  if (body.temperature !== undefined && body.top_p !== undefined) {
    return '`temperature` and `top_p` cannot both be specified for this model. Please use only one.';
  }
  const thinking = body.thinking as { type?: unknown; budget_tokens?: unknown } | undefined;
  if (thinking?.type === 'enabled') {
    if (!Number.isInteger(thinking.budget_tokens)) return malformed('#/thinking/budget_tokens: required key not found');
    if ((thinking.budget_tokens as number) < 1024) return 'thinking.enabled.budget_tokens: Input should be greater than or equal to 1024';
    if ((body.max_tokens as number) <= (thinking.budget_tokens as number)) {
      return 'max_tokens must be greater than thinking.budget_tokens';
    }
  }
  return undefined;
}

function checkBetas(betas: unknown): string | undefined {
  if (betas === undefined) return undefined;
  if (!Array.isArray(betas) || betas.some((b) => typeof b !== 'string')) {
    return malformed('#/anthropic_beta: expected type: JSONArray of strings');
  }
  return betas.some((b) => !ACCEPTED_BETAS.includes(b)) ? 'invalid beta flag' : undefined;
}
