/**
 * `tools` and `tool_choice` of a Chat Completions request. A tool's description and JSON-schema
 * `parameters` stay raw (latin1 views of the client's bytes, see messages.ts): they are most of an agent's
 * body and a translation splices them as they are.
 */
import { readElements, readMembers, type RawMembers } from '../../text/json-members.js';
import { textOf } from '../../text/byte-text.js';
import { invalidField } from './body.js';
import type { RawString } from './messages.js';

export interface ChatTool {
  path: string;
  name: string;
  /** `function.description`, a raw JSON string literal. */
  description: RawString | undefined;
  /** `function.parameters`, the raw JSON object; undefined when absent (a tool without arguments). */
  parameters: string | undefined;
  strict: boolean | undefined;
  /** The tool carried `cache_control` (the Anthropic-style prompt-cache mark). */
  cache: boolean;
}

/** A tool entry whose type the reader does not map (`custom`, …): the pair decides. */
export interface OtherTool {
  path: string;
  type: string;
}

export type ToolChoice =
  | { kind: 'auto' }
  | { kind: 'none' }
  | { kind: 'required' }
  | { kind: 'function'; name: string }
  /** `allowed_tools`, `custom`, …: the pair decides. */
  | { kind: 'other'; type: string };

const isNull = (raw: string | undefined) => raw === undefined || raw === 'null';

function object(raw: string, path: string): RawMembers {
  try {
    if (raw.charCodeAt(0) !== 0x7b) throw new SyntaxError('not an object');
    return readMembers(raw);
  } catch {
    throw invalidField(path, 'expected an object');
  }
}

function parse(raw: string, path: string): unknown {
  try {
    return JSON.parse(textOf(raw)) as unknown;
  } catch {
    throw invalidField(path, 'expected valid JSON');
  }
}

export function readTools(raw: string): { tools: ChatTool[]; others: OtherTool[] } {
  let items: string[];
  try {
    if (raw.charCodeAt(0) !== 0x5b) throw new SyntaxError('not an array');
    items = readElements(raw);
  } catch {
    throw invalidField('tools', 'expected an array');
  }
  const tools: ChatTool[] = [];
  const others: OtherTool[] = [];
  items.forEach((item, i) => {
    const path = `tools[${i}]`;
    const fields = object(item, path);
    const type = isNull(fields.get('type')) ? 'function' : parse(fields.get('type')!, `${path}.type`);
    if (type !== 'function') {
      others.push({ path: `${path}.type`, type: String(type) });
      return;
    }
    const fn = fields.get('function');
    if (fn === undefined) throw invalidField(`${path}.function`, 'expected an object');
    const fnFields = object(fn, `${path}.function`);
    const name = parse(fnFields.get('name') ?? 'null', `${path}.function.name`);
    if (typeof name !== 'string' || name === '') throw invalidField(`${path}.function.name`, 'expected a non-empty string');
    const description = fnFields.get('description');
    if (!isNull(description) && description!.charCodeAt(0) !== 0x22) throw invalidField(`${path}.function.description`, 'expected a string');
    const parameters = fnFields.get('parameters');
    if (!isNull(parameters) && parameters!.charCodeAt(0) !== 0x7b) throw invalidField(`${path}.function.parameters`, 'expected a JSON schema object');
    const strict = isNull(fnFields.get('strict')) ? undefined : parse(fnFields.get('strict')!, `${path}.function.strict`);
    if (strict !== undefined && typeof strict !== 'boolean') throw invalidField(`${path}.function.strict`, 'expected a boolean');
    tools.push({
      path,
      name,
      description: isNull(description) ? undefined : description,
      parameters: isNull(parameters) ? undefined : parameters,
      strict,
      cache: !isNull(fields.get('cache_control')),
    });
  });
  return { tools, others };
}

/** `tool_choice` (parsed with the small members); undefined when absent or null. */
export function readToolChoice(value: unknown): ToolChoice | undefined {
  if (value === undefined || value === null) return undefined;
  if (value === 'auto' || value === 'none' || value === 'required') return { kind: value };
  if (typeof value === 'object' && !Array.isArray(value)) {
    const choice = value as { type?: unknown; function?: { name?: unknown } };
    if (choice.type === 'function') {
      const name = choice.function?.name;
      if (typeof name !== 'string' || name === '') throw invalidField('tool_choice.function.name', 'expected a non-empty string');
      return { kind: 'function', name };
    }
    return { kind: 'other', type: String(choice.type) };
  }
  throw invalidField('tool_choice', "expected 'auto', 'none', 'required' or {type: 'function', function: {name}}");
}
