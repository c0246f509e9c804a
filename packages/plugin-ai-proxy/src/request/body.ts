import { GatewayError } from '@gw/plugin-api';

const decoder = new TextDecoder('utf-8', { fatal: true });

/** A parsed Anthropic Messages request: the text (for splicing) and the object (for checks). */
export interface ParsedBody {
  text: string;
  json: Record<string, unknown>;
}

/** Decode and check the body the way Kong's normalize-request does (kong-compat.md §7.1). */
export function parseMessagesBody(bytes: Uint8Array): ParsedBody {
  let text: string;
  let json: unknown;
  try {
    text = decoder.decode(bytes);
    json = JSON.parse(text);
  } catch {
    throw new GatewayError('GW_ERR_AI_INVALID_BODY');
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new GatewayError('GW_ERR_AI_INVALID_BODY');
  const messages = (json as Record<string, unknown>).messages;
  if (!Array.isArray(messages) || messages.length === 0) throw new GatewayError('GW_ERR_AI_INVALID_BODY');
  return { text, json: json as Record<string, unknown> };
}
