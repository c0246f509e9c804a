/**
 * `tools`, `tool_choice` and `parallel_tool_calls` → Anthropic `tools` and `tool_choice` (latin1 JSON text;
 * descriptions and schemas are the client's bytes). Kong moves `parameters` to `input_schema` in place and
 * passes OpenAI's `none`/`auto` strings on; here every choice is Anthropic's object, `none` included. A
 * history with tool calls but no `tools` (some clients drop them for a last summarising call) gets a
 * minimal definition per tool it used: Anthropic refuses tool_use blocks without tools.
 */
import { latin1Of } from '../../text/byte-text.js';
import type { ChatTool, OtherTool, ToolChoice } from '../../formats/openai/tools.js';
import { invalidField } from '../../formats/openai/body.js';
import { unsupported } from '../openai-chat/refuse.js';

const NO_PARAMETERS = '{"type":"object","properties":{}}';
const EMPTY_LITERAL = '""';

export interface AnthropicToolsInput {
  tools: readonly ChatTool[];
  others: readonly OtherTool[];
  choice: ToolChoice | undefined;
  parallel: unknown;
  usedTools: ReadonlySet<string>;
}

/** The `tools` and `tool_choice` members (JSON text), either undefined when not sent. */
export function anthropicTools({ tools, others, choice, parallel, usedTools }: AnthropicToolsInput): { tools: string | undefined; choice: string | undefined } {
  if (others.length > 0) throw unsupported(others[0]!.path, `Anthropic takes function tools only here, not '${others[0]!.type}'`);
  if (choice?.kind === 'other') throw unsupported('tool_choice', `tool_choice '${choice.type}' has no Anthropic counterpart`);
  if (parallel !== undefined && parallel !== null && typeof parallel !== 'boolean') throw invalidField('parallel_tool_calls', 'expected a boolean');
  const specs: string[] = [];
  const names = new Set<string>();
  for (const tool of tools) {
    names.add(tool.name);
    let spec = `{"name":${latin1Of(JSON.stringify(tool.name))}`;
    if (tool.description !== undefined && tool.description !== EMPTY_LITERAL) spec += `,"description":${tool.description}`;
    spec += `,"input_schema":${tool.parameters ?? NO_PARAMETERS}`;
    if (tool.cache) spec += ',"cache_control":{"type":"ephemeral"}';
    specs.push(`${spec}}`);
  }
  for (const name of usedTools) {
    if (names.has(name)) continue;
    names.add(name);
    specs.push(`{"name":${latin1Of(JSON.stringify(name))},"description":"A tool called earlier in this conversation.","input_schema":${NO_PARAMETERS}}`);
  }
  if (specs.length === 0) {
    if (choice !== undefined && choice.kind !== 'none') throw invalidField('tool_choice', 'tool_choice needs tools');
    return { tools: undefined, choice: undefined };
  }
  const noParallel = parallel === false && choice?.kind !== 'none' ? ',"disable_parallel_tool_use":true' : '';
  let picked: string | undefined;
  switch (choice?.kind) {
    case 'none':
      picked = '{"type":"none"}';
      break;
    case 'required':
      picked = `{"type":"any"${noParallel}}`;
      break;
    case 'function':
      if (!tools.some((tool) => tool.name === choice.name)) throw invalidField('tool_choice.function.name', `no tool named '${choice.name}' in tools`);
      picked = `{"type":"tool","name":${latin1Of(JSON.stringify(choice.name))}${noParallel}}`;
      break;
    default:
      picked = choice?.kind === 'auto' || noParallel !== '' ? `{"type":"auto"${noParallel}}` : undefined;
  }
  return { tools: `[${specs.join(',')}]`, choice: picked };
}
