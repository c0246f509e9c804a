/**
 * Message text for the GenAI span, only when the config opts in (capture_message_content) and ai-proxy
 * logged the payloads (logging.log_payloads): the Anthropic Messages request and answer (JSON, or the SSE
 * stream as relayed) in the conventions' structure, gen_ai.input.messages / gen_ai.output.messages /
 * gen_ai.system_instructions, as JSON strings. A payload that does not parse (ai-proxy caps what it
 * keeps) gives no attribute rather than a wrong one.
 */
import type { Attributes } from '@opentelemetry/api';
import { GEN_AI } from './semconv.js';

type Part = Record<string, unknown>;
interface Block {
  type?: string;
  text?: string;
  thinking?: string;
  id?: string;
  name?: string;
  input?: unknown;
  tool_use_id?: string;
  content?: unknown;
}

function parts(content: unknown): Part[] {
  if (typeof content === 'string') return [{ type: 'text', content }];
  if (!Array.isArray(content)) return [];
  return (content as Block[]).map((b): Part => {
    switch (b.type) {
      case 'text':
        return { type: 'text', content: b.text ?? '' };
      case 'thinking':
        return { type: 'reasoning', content: b.thinking ?? '' };
      case 'tool_use':
        return { type: 'tool_call', id: b.id, name: b.name, arguments: b.input };
      case 'tool_result':
        return { type: 'tool_call_response', id: b.tool_use_id, response: b.content };
      default:
        return { type: b.type ?? 'unknown' };
    }
  });
}

function parseJson(text: unknown): Record<string, unknown> | undefined {
  if (typeof text !== 'string') return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The answer as one message: a JSON Messages response, or the content blocks a relayed SSE stream built. */
function answer(text: unknown): { blocks: Block[]; stopReason?: string } | undefined {
  if (typeof text !== 'string') return undefined;
  const json = parseJson(text);
  if (json !== undefined) {
    return Array.isArray(json.content) ? { blocks: json.content as Block[], stopReason: typeof json.stop_reason === 'string' ? json.stop_reason : undefined } : undefined;
  }
  if (!text.includes('data:')) return undefined;
  const blocks: Block[] = [];
  const json_: string[] = [];
  let stopReason: string | undefined;
  for (const line of text.split('\n')) {
    if (!line.startsWith('data:')) continue;
    const event = parseJson(line.slice(5).trim()) as
      | { type?: string; index?: number; content_block?: Block; delta?: { type?: string; text?: string; thinking?: string; partial_json?: string; stop_reason?: string } }
      | undefined;
    if (event === undefined) continue;
    const i = event.index ?? 0;
    if (event.type === 'content_block_start' && event.content_block) {
      blocks[i] = { ...event.content_block };
      json_[i] = '';
    } else if (event.type === 'content_block_delta' && blocks[i] !== undefined && event.delta) {
      const d = event.delta;
      if (d.type === 'text_delta') blocks[i].text = (blocks[i].text ?? '') + (d.text ?? '');
      if (d.type === 'thinking_delta') blocks[i].thinking = (blocks[i].thinking ?? '') + (d.thinking ?? '');
      if (d.type === 'input_json_delta') json_[i] += d.partial_json ?? '';
    } else if (event.type === 'content_block_stop' && blocks[i]?.type === 'tool_use' && json_[i]) {
      blocks[i].input = parseJson(json_[i]) ?? json_[i];
    } else if (event.type === 'message_delta' && typeof event.delta?.stop_reason === 'string') {
      stopReason = event.delta.stop_reason;
    }
  }
  return { blocks: blocks.filter((b) => b !== undefined), stopReason };
}

/** Why the answer ended, from the logged answer (a fallback when the AI call does not say). */
export function payloadFinishReasons(response: unknown): string[] | undefined {
  const reason = answer(response)?.stopReason;
  return reason === undefined ? undefined : [reason];
}

export function messageAttributes(request: unknown, response: unknown): Attributes {
  const out: Attributes = {};
  const body = parseJson(request);
  if (body !== undefined) {
    if (body.system !== undefined) out[GEN_AI.systemInstructions] = JSON.stringify(parts(body.system));
    if (Array.isArray(body.messages)) {
      const messages = (body.messages as Array<{ role?: string; content?: unknown }>).map((m) => ({ role: m.role ?? 'user', parts: parts(m.content) }));
      out[GEN_AI.inputMessages] = JSON.stringify(messages);
    }
  }
  const a = answer(response);
  if (a !== undefined) {
    out[GEN_AI.outputMessages] = JSON.stringify([{ role: 'assistant', parts: parts(a.blocks), ...(a.stopReason === undefined ? {} : { finish_reason: a.stopReason }) }]);
  }
  return out;
}
