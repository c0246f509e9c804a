// The assistant message each scenario answers with; deterministic in the request, apart from ids.
import { lastToolResults, lastUserText } from './conversation.js';
import type { AnthropicMessage, ContentBlock, Usage } from './messages.js';
import { baseModelName, newMessageId, newToolUseId, outputTokens, thinkingSignature } from './messages.js';
import type { PlanInput, Scenario } from './scenarios.js';

export const DEFAULT_REPLY = 'Hello from the Bedrock emulator.';
export const TOOL_COMMAND = 'echo gw-tool-ok';

function content(scenario: Scenario, input: PlanInput): { blocks: ContentBlock[]; stop: AnthropicMessage['stop_reason'] } {
  const text = (fallback: string): ContentBlock => ({ type: 'text', text: scenario.text ?? fallback });
  const userText = lastUserText(input.body.messages);
  switch (scenario.name) {
    case 'echo':
      return { blocks: [text(userText || '(no text)')], stop: 'end_turn' };
    case 'tool_use': {
      const results = lastToolResults(input.body.messages);
      if (results !== undefined) return { blocks: [text(`The command printed: ${results}`)], stop: 'end_turn' };
      const call = commandTool(input.body.tools);
      return {
        blocks: [text("I'll run a command."), { type: 'tool_use', id: newToolUseId(), name: call.name, input: call.input }],
        stop: 'tool_use',
      };
    }
    case 'thinking': {
      const thinking = `The user wrote ${JSON.stringify(userText.slice(0, 60))}. A short friendly greeting answers it.`;
      return { blocks: [{ type: 'thinking', thinking, signature: thinkingSignature(thinking) }, text(DEFAULT_REPLY)], stop: 'end_turn' };
    }
    default:
      return { blocks: [text(DEFAULT_REPLY)], stop: 'end_turn' };
  }
}

/**
 * The tool the `tool_use` scenario calls: `Bash` (Claude Code's) when offered or when no tools are listed;
 * else the first offered tool taking a `command` (a string, or an argv array as Codex CLI's `shell` does).
 */
function commandTool(tools: unknown): { name: string; input: Record<string, unknown> } {
  const bash = { name: 'Bash', input: { command: TOOL_COMMAND } };
  if (!Array.isArray(tools) || tools.length === 0) return bash;
  const offered = tools.filter((t): t is { name: string; input_schema?: { properties?: Record<string, { type?: unknown }> } } => typeof (t as { name?: unknown })?.name === 'string');
  if (offered.some((t) => t.name === 'Bash')) return bash;
  for (const tool of offered) {
    const command = tool.input_schema?.properties?.command;
    if (command?.type === 'array') return { name: tool.name, input: { command: ['bash', '-lc', TOOL_COMMAND] } };
    if (command?.type === 'string') return { name: tool.name, input: { command: TOOL_COMMAND } };
  }
  return bash;
}

/** A reply longer than `max_tokens` is cut there, as the model would stop. */
function capToMaxTokens(blocks: ContentBlock[], maxTokens: unknown): boolean {
  const last = blocks.at(-1);
  if (typeof maxTokens !== 'number' || outputTokens(blocks) <= maxTokens || last?.type !== 'text' || blocks.length > 1) return false;
  last.text = last.text.slice(0, maxTokens * 4);
  return true;
}

function usage(scenario: Scenario, inputTokens: number, output: number): Usage {
  if (scenario.name !== 'cache') {
    return { input_tokens: inputTokens, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: output };
  }
  // Pretend most of the prompt is a cached prefix: part read from the cache, part written to it.
  const read = Math.max(1, Math.floor(inputTokens * 0.6));
  const written = Math.max(1, Math.floor(inputTokens * 0.3));
  return {
    input_tokens: Math.max(1, inputTokens - read - written),
    cache_creation_input_tokens: written,
    cache_read_input_tokens: read,
    output_tokens: output,
  };
}

export function conversationReply(scenario: Scenario, input: PlanInput): AnthropicMessage {
  const { blocks, stop } = content(scenario, input);
  const capped = capToMaxTokens(blocks, input.body.max_tokens);
  return {
    id: newMessageId(),
    type: 'message',
    role: 'assistant',
    model: baseModelName(input.modelId),
    content: blocks,
    stop_reason: capped ? 'max_tokens' : stop,
    stop_sequence: null,
    usage: usage(scenario, input.inputTokens, outputTokens(blocks)),
  };
}
