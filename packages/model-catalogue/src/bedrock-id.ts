/**
 * Bedrock model identifiers as they reach gw: a base model id (anthropic.claude-…), a system-defined
 * inference profile id (us.anthropic.claude-…), or an ARN of either; URL-encoded when taken from a path.
 */

export type BedrockIdKind = 'model' | 'inference-profile' | 'application-inference-profile' | 'other-arn';

export interface ParsedBedrockId {
  kind: BedrockIdKind;
  /** The id after any ARN prefix: anthropic.claude-…, us.anthropic.claude-…, or an opaque resource id. */
  id: string;
  /** From an ARN: its region and account (empty for foundation-model ARNs). */
  region?: string;
  account?: string;
  /** The ARN's resource type, for kind other-arn (provisioned-model, custom-model, …). */
  resourceType?: string;
}

const ARN = /^arn:aws[a-z-]*:bedrock:([a-z0-9-]*):(\d*):([a-z-]+)\/(.+)$/;

export function parseBedrockId(raw: string): ParsedBedrockId {
  const text = raw.includes('%') ? safeDecode(raw) : raw;
  const arn = ARN.exec(text);
  if (arn === null) return { kind: text.startsWith('anthropic.') ? 'model' : 'inference-profile', id: text };
  const [, region, account, resourceType, id] = arn;
  const where = { region: region, account: account };
  switch (resourceType) {
    case 'foundation-model':
      return { kind: 'model', id, ...where };
    case 'inference-profile':
      return { kind: 'inference-profile', id, ...where };
    case 'application-inference-profile':
      return { kind: 'application-inference-profile', id, ...where };
    default:
      return { kind: 'other-arn', id, resourceType, ...where };
  }
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
