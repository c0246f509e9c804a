/**
 * Converse's `stopReason` → OpenAI's `finish_reason`. Kong maps guardrail_intervened to itself (no OpenAI
 * client knows it) and everything unknown to stop; here the filters are OpenAI's content_filter and a
 * full context is `length`, as OpenAI reports it. A malformed model output or tool call has no OpenAI
 * counterpart: `stop` (the log keeps Bedrock's own reason).
 */
const FINISH: Readonly<Record<string, string>> = {
  end_turn: 'stop',
  stop_sequence: 'stop',
  max_tokens: 'length',
  model_context_window_exceeded: 'length',
  tool_use: 'tool_calls',
  guardrail_intervened: 'content_filter',
  content_filtered: 'content_filter',
};

export function finishReason(stopReason: unknown): string {
  return typeof stopReason === 'string' ? FINISH[stopReason] ?? 'stop' : 'stop';
}

/** The answer's id: OpenAI's `chatcmpl-` shape around gw's request id (Converse gives the answer none). */
export const completionId = (requestId: string): string => `chatcmpl-${requestId}`;
