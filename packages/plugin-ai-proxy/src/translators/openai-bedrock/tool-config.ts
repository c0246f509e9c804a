/**
 * `tools` and `tool_choice` → Converse `toolConfig` (latin1 JSON text; descriptions and schemas are the
 * client's bytes). `tool_choice`: auto → `auto`, required → `any`, a named function → `tool`; `none` has no
 * Converse counterpart: the tools are left out, unless the history holds tool calls (Converse then
 * requires `toolConfig`, so the tools stay and the model may still call one). A history with tool calls
 * but no `tools` in the request (some clients drop them for a last summarising call) gets a minimal spec
 * per tool it used, since Converse refuses toolUse blocks without a toolConfig.
 */
import { latin1Of } from '../../text/byte-text.js';
import type { ChatTool, OtherTool, ToolChoice } from '../../formats/openai/tools.js';
import { invalidField } from '../../formats/openai/body.js';
import { unsupported } from '../openai-chat/refuse.js';
import { CACHE_POINT } from './messages.js';

const NO_PARAMETERS = '{"type":"object","properties":{}}';
const EMPTY_LITERAL = '""';

export interface ToolConfigInput {
  tools: readonly ChatTool[];
  others: readonly OtherTool[];
  choice: ToolChoice | undefined;
  /** Tools the history's toolUse blocks name. */
  usedTools: ReadonlySet<string>;
}

/** The `toolConfig` member's JSON, or undefined for none. */
export function toolConfigJson({ tools, others, choice, usedTools }: ToolConfigInput): string | undefined {
  if (others.length > 0) throw unsupported(others[0]!.path, `Bedrock Converse has function tools only, not '${others[0]!.type}'`);
  if (choice?.kind === 'other') throw unsupported('tool_choice', `tool_choice '${choice.type}' has no Converse counterpart`);
  const history = usedTools.size > 0;
  if (choice?.kind === 'none' && !history) return undefined;
  const specs: string[] = [];
  const names = new Set<string>();
  for (const tool of tools) {
    names.add(tool.name);
    let spec = `{"toolSpec":{"name":${latin1Of(JSON.stringify(tool.name))}`;
    if (tool.description !== undefined && tool.description !== EMPTY_LITERAL) spec += `,"description":${tool.description}`;
    spec += `,"inputSchema":{"json":${tool.parameters ?? NO_PARAMETERS}}`;
    if (tool.strict === true) spec += ',"strict":true';
    specs.push(`${spec}}}`);
    if (tool.cache) specs.push(CACHE_POINT);
  }
  for (const name of usedTools) {
    if (names.has(name)) continue;
    names.add(name);
    specs.push(`{"toolSpec":{"name":${latin1Of(JSON.stringify(name))},"description":"A tool called earlier in this conversation.","inputSchema":{"json":${NO_PARAMETERS}}}}`);
  }
  if (specs.length === 0) {
    if (choice !== undefined && choice.kind !== 'none') throw invalidField('tool_choice', 'tool_choice needs tools');
    return undefined;
  }
  let config = `{"tools":[${specs.join(',')}]`;
  switch (choice?.kind) {
    case 'auto':
      config += ',"toolChoice":{"auto":{}}';
      break;
    case 'required':
      config += ',"toolChoice":{"any":{}}';
      break;
    case 'function':
      if (!tools.some((tool) => tool.name === choice.name)) throw invalidField('tool_choice.function.name', `no tool named '${choice.name}' in tools`);
      config += `,"toolChoice":{"tool":{"name":${latin1Of(JSON.stringify(choice.name))}}}`;
      break;
    default:
      break;
  }
  return `${config}}`;
}
