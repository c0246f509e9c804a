// Converse / ConverseStream body validation as Bedrock applies it (its ValidationException messages where
// they are known: the API's constraint messages, the conversation rules, Anthropic's own for Claude
// models); returns the message, or undefined when the body is acceptable. Stricter than Bedrock in one
// way: an unknown member anywhere is refused (Bedrock's JSON protocol may ignore it), so a gateway that
// sends fields Converse doesn't have is caught here rather than silently passed over.

type Json = Record<string, unknown>;

const TOP_LEVEL = new Set([
  'messages', 'system', 'inferenceConfig', 'toolConfig', 'guardrailConfig', 'additionalModelRequestFields', 'promptVariables',
  'additionalModelResponseFieldPaths', 'requestMetadata', 'performanceConfig', 'serviceTier', 'outputConfig',
]);
const INFERENCE = new Set(['maxTokens', 'temperature', 'topP', 'stopSequences']);
const CONTENT = new Set(['text', 'image', 'document', 'video', 'toolUse', 'toolResult', 'guardContent', 'cachePoint', 'reasoningContent', 'citationsContent', 'searchResult']);
const SYSTEM = new Set(['text', 'guardContent', 'cachePoint']);
const IMAGE_FORMATS = new Set(['png', 'jpeg', 'gif', 'webp']);
const DOCUMENT_FORMATS = new Set(['pdf', 'csv', 'doc', 'docx', 'xls', 'xlsx', 'html', 'txt', 'md']);
const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const constraint = (value: unknown, at: string, rule: string) =>
  `1 validation error detected: Value '${typeof value === 'string' ? value : JSON.stringify(value)}' at '${at}' failed to satisfy constraint: ${rule}`;
const unknownMember = (at: string, name: string) => `Malformed input request: #${at}: extraneous key [${name}] is not permitted, please reformat your input and try again.`;

/** Exactly one member (a union), of the allowed names. */
function unionMember(value: unknown, at: string, allowed: ReadonlySet<string>): string | { error: string } {
  if (!isObject(value)) return { error: constraint(value, at, 'Member must be a structure') };
  const keys = Object.keys(value);
  const unknown = keys.find((k) => !allowed.has(k));
  if (unknown !== undefined) return { error: unknownMember(`/${at.replaceAll('.', '/')}`, unknown) };
  if (keys.length !== 1) return { error: `Malformed input request: #/${at.replaceAll('.', '/')}: expected exactly one member of the union, found ${keys.length}, please reformat your input and try again.` };
  return keys[0]!;
}

/** Anthropic models get Anthropic's own checks (sampling with thinking, temperature with top_p). */
const ANTHROPIC = /(?:^|[.:/])anthropic\./;
/** Claude 4.1 and later refuse temperature together with top_p; earlier ones take both. */
const ONE_SAMPLER = /(?:^|[.:/])anthropic\.claude-(?:sonnet|haiku|opus)-4-[1-9]/;

/** `modelId` as in the path (an id, a profile id or an ARN). */
export function validateConverseBody(json: unknown, modelId: string): string | undefined {
  if (!isObject(json)) return 'Malformed input request: #: expected type: JSONObject, please reformat your input and try again.';
  const extra = Object.keys(json).find((k) => !TOP_LEVEL.has(k));
  if (extra !== undefined) return unknownMember('', extra);
  return (
    checkMessages(json.messages, isObject(json.toolConfig)) ??
    checkSystem(json.system) ??
    checkInference(json.inferenceConfig) ??
    checkTools(json.toolConfig) ??
    checkOutput(json.outputConfig) ??
    (ANTHROPIC.test(modelId) ? checkAnthropic(json, ONE_SAMPLER.test(modelId)) : undefined)
  );
}

function checkMessages(messages: unknown, haveTools: boolean): string | undefined {
  if (!Array.isArray(messages) || messages.length === 0) return constraint(messages, 'messages', 'Member must have length greater than or equal to 1');
  let previousToolUses: string[] = [];
  for (let i = 0; i < messages.length; i++) {
    const message = messages[i] as unknown;
    if (!isObject(message)) return constraint(message, `messages.${i + 1}.member`, 'Member must be a structure');
    const extra = Object.keys(message).find((k) => k !== 'role' && k !== 'content');
    if (extra !== undefined) return unknownMember(`/messages/${i}`, extra);
    if (message.role !== 'user' && message.role !== 'assistant') {
      return constraint(message.role, `messages.${i + 1}.member.role`, 'Member must satisfy enum value set: [user, assistant]');
    }
    if (i === 0 && message.role !== 'user') return 'A conversation must start with a user message. Try again with a conversation that starts with a user message.';
    if (i > 0 && (messages[i - 1] as Json).role === message.role) {
      return 'A conversation must alternate between user and assistant roles. Make sure the conversation alternates between user and assistant roles and try again.';
    }
    if (!Array.isArray(message.content) || message.content.length === 0) {
      return constraint(message.content, `messages.${i + 1}.member.content`, 'Member must have length greater than or equal to 1');
    }
    const toolUses: string[] = [];
    const toolResults: string[] = [];
    for (let j = 0; j < message.content.length; j++) {
      const block = message.content[j] as unknown;
      const problem = checkBlock(block, `messages.${i}.content.${j}`, message.role);
      if (problem !== undefined) return problem;
      const b = block as Json;
      if (isObject(b.toolUse)) toolUses.push(String(b.toolUse.toolUseId));
      if (isObject(b.toolResult)) toolResults.push(String(b.toolResult.toolUseId));
    }
    if ((toolUses.length > 0 || toolResults.length > 0) && !haveTools) {
      return 'The toolConfig field must be defined when using toolUse and toolResult content blocks.';
    }
    if (message.role === 'user') {
      if (toolResults.length > previousToolUses.length) {
        return `The number of toolResult blocks at messages.${i}.content exceeds the number of toolUse blocks of previous turn.`;
      }
      const missing = previousToolUses.filter((id) => !toolResults.includes(id));
      if (missing.length > 0) return `Expected toolResult blocks at messages.${i}.content for the following Ids: ${missing.join(', ')}`;
      previousToolUses = [];
    } else {
      previousToolUses = toolUses;
    }
  }
  return undefined;
}

function checkBlock(block: unknown, at: string, role: unknown): string | undefined {
  const member = unionMember(block, at, CONTENT);
  if (typeof member !== 'string') return member.error;
  const value = (block as Json)[member];
  switch (member) {
    case 'text':
      if (typeof value !== 'string') return constraint(value, `${at}.text`, 'Member must be a string');
      if (value.trim() === '') return `The text field in the ContentBlock object at ${at} is blank. Add text to the text field, and try again.`;
      return undefined;
    case 'image': {
      if (role !== 'user') return `${at}: images are only allowed in user messages`;
      if (!isObject(value) || !IMAGE_FORMATS.has(value.format as string)) {
        return constraint(isObject(value) ? value.format : value, `${at}.image.format`, 'Member must satisfy enum value set: [png, jpeg, gif, webp]');
      }
      return checkBytes(value.source, `${at}.image.source`);
    }
    case 'document': {
      if (!isObject(value) || !DOCUMENT_FORMATS.has(value.format as string)) {
        return constraint(isObject(value) ? value.format : value, `${at}.document.format`, 'Member must satisfy enum value set: [pdf, csv, doc, docx, xls, xlsx, html, txt, md]');
      }
      if (typeof value.name !== 'string' || value.name === '') return constraint(value.name, `${at}.document.name`, 'Member must not be null');
      return checkBytes(value.source, `${at}.document.source`);
    }
    case 'toolUse':
      if (role !== 'assistant') return `${at}: toolUse blocks are only allowed in assistant messages`;
      if (!isObject(value) || typeof value.toolUseId !== 'string' || typeof value.name !== 'string') {
        return constraint(value, `${at}.toolUse`, 'Member must have toolUseId, name and input');
      }
      if (!TOOL_NAME.test(value.name)) return constraint(value.name, `${at}.toolUse.name`, 'Member must satisfy regular expression pattern: [a-zA-Z0-9_-]+');
      if (!isObject(value.input)) return constraint(value.input, `${at}.toolUse.input`, 'Member must be a JSON object');
      return undefined;
    case 'toolResult': {
      if (role !== 'user') return `${at}: toolResult blocks are only allowed in user messages`;
      if (!isObject(value) || typeof value.toolUseId !== 'string' || !Array.isArray(value.content)) {
        return constraint(value, `${at}.toolResult`, 'Member must have toolUseId and content');
      }
      if (value.status !== undefined && value.status !== 'success' && value.status !== 'error') {
        return constraint(value.status, `${at}.toolResult.status`, 'Member must satisfy enum value set: [success, error]');
      }
      for (let k = 0; k < value.content.length; k++) {
        const part = value.content[k] as unknown;
        const kind = unionMember(part, `${at}.toolResult.content.${k}`, new Set(['text', 'json', 'image', 'document', 'video', 'searchResult']));
        if (typeof kind !== 'string') return kind.error;
        if (kind === 'text' && typeof (part as Json).text !== 'string') return constraint((part as Json).text, `${at}.toolResult.content.${k}.text`, 'Member must be a string');
        if (kind === 'json' && typeof (part as Json).json !== 'object') return constraint((part as Json).json, `${at}.toolResult.content.${k}.json`, 'Member must be a JSON document');
      }
      return undefined;
    }
    case 'cachePoint':
      return isObject(value) && value.type === 'default' ? undefined : constraint(value, `${at}.cachePoint.type`, 'Member must satisfy enum value set: [default]');
    case 'reasoningContent':
      if (role !== 'assistant') return `${at}: reasoningContent blocks are only allowed in assistant messages`;
      return undefined;
    default:
      return undefined;
  }
}

function checkBytes(source: unknown, at: string): string | undefined {
  if (!isObject(source) || typeof source.bytes !== 'string' || source.bytes === '') return constraint(source, `${at}.bytes`, 'Member must not be null');
  if (source.bytes.length % 4 !== 0 || !BASE64.test(source.bytes)) return `${at}.bytes: Unable to decode base64 content`;
  return undefined;
}

function checkSystem(system: unknown): string | undefined {
  if (system === undefined) return undefined;
  if (!Array.isArray(system)) return constraint(system, 'system', 'Member must be a list');
  for (let i = 0; i < system.length; i++) {
    const member = unionMember(system[i], `system.${i}`, SYSTEM);
    if (typeof member !== 'string') return member.error;
    const text = (system[i] as Json).text;
    if (member === 'text' && (typeof text !== 'string' || text.trim() === '')) {
      return `The text field in the SystemContentBlock object at system.${i} is blank. Add text to the text field, and try again.`;
    }
  }
  return undefined;
}

function checkInference(config: unknown): string | undefined {
  if (config === undefined) return undefined;
  if (!isObject(config)) return constraint(config, 'inferenceConfig', 'Member must be a structure');
  const extra = Object.keys(config).find((k) => !INFERENCE.has(k));
  if (extra !== undefined) return unknownMember('/inferenceConfig', extra);
  const { maxTokens, temperature, topP, stopSequences } = config;
  if (maxTokens !== undefined && (!Number.isInteger(maxTokens) || (maxTokens as number) < 1)) {
    return constraint(maxTokens, 'inferenceConfig.maxTokens', 'Member must have value greater than or equal to 1');
  }
  for (const [name, value] of [['temperature', temperature], ['topP', topP]] as const) {
    if (value === undefined) continue;
    if (typeof value !== 'number' || value < 0) return constraint(value, `inferenceConfig.${name}`, 'Member must have value greater than or equal to 0');
    if (value > 1) return constraint(value, `inferenceConfig.${name}`, 'Member must have value less than or equal to 1');
  }
  if (stopSequences !== undefined) {
    if (!Array.isArray(stopSequences) || stopSequences.length > 2500 || stopSequences.some((s) => typeof s !== 'string' || s === '')) {
      return constraint(stopSequences, 'inferenceConfig.stopSequences', 'Member must be a list of non-empty strings');
    }
  }
  return undefined;
}

function checkTools(config: unknown): string | undefined {
  if (config === undefined) return undefined;
  if (!isObject(config)) return constraint(config, 'toolConfig', 'Member must be a structure');
  const extra = Object.keys(config).find((k) => k !== 'tools' && k !== 'toolChoice');
  if (extra !== undefined) return unknownMember('/toolConfig', extra);
  if (!Array.isArray(config.tools) || config.tools.length === 0) return constraint(config.tools, 'toolConfig.tools', 'Member must have length greater than or equal to 1');
  const names: string[] = [];
  for (let i = 0; i < config.tools.length; i++) {
    const member = unionMember(config.tools[i], `toolConfig.tools.${i}`, new Set(['toolSpec', 'cachePoint', 'systemTool']));
    if (typeof member !== 'string') return member.error;
    if (member !== 'toolSpec') continue;
    const spec = (config.tools[i] as Json).toolSpec;
    if (!isObject(spec)) return constraint(spec, `toolConfig.tools.${i + 1}.member.toolSpec`, 'Member must be a structure');
    const extraSpec = Object.keys(spec).find((k) => !['name', 'description', 'inputSchema', 'strict'].includes(k));
    if (extraSpec !== undefined) return unknownMember(`/toolConfig/tools/${i}/toolSpec`, extraSpec);
    if (typeof spec.name !== 'string' || !TOOL_NAME.test(spec.name)) {
      return constraint(spec.name, `toolConfig.tools.${i + 1}.member.toolSpec.name`, 'Member must satisfy regular expression pattern: [a-zA-Z0-9_-]+');
    }
    if (spec.description !== undefined && (typeof spec.description !== 'string' || spec.description === '')) {
      return constraint(spec.description, `toolConfig.tools.${i + 1}.member.toolSpec.description`, 'Member must have length greater than or equal to 1');
    }
    if (!isObject(spec.inputSchema) || !isObject(spec.inputSchema.json)) {
      return constraint(spec.inputSchema, `toolConfig.tools.${i + 1}.member.toolSpec.inputSchema`, 'Member must have a JSON schema in json');
    }
    if (names.includes(spec.name)) return `The toolConfig.tools list has the tool name ${spec.name} more than once.`;
    names.push(spec.name);
  }
  const choice = config.toolChoice;
  if (choice !== undefined) {
    const member = unionMember(choice, 'toolConfig.toolChoice', new Set(['auto', 'any', 'tool']));
    if (typeof member !== 'string') return member.error;
    if (member === 'tool') {
      const name = ((choice as Json).tool as Json | undefined)?.name;
      if (typeof name !== 'string' || !names.includes(name)) return `The tool ${String(name)} in toolConfig.toolChoice is not in toolConfig.tools.`;
    }
  }
  return undefined;
}

function checkOutput(config: unknown): string | undefined {
  if (config === undefined) return undefined;
  if (!isObject(config)) return constraint(config, 'outputConfig', 'Member must be a structure');
  const extra = Object.keys(config).find((k) => k !== 'textFormat' && k !== 'effort');
  if (extra !== undefined) return unknownMember('/outputConfig', extra);
  const format = config.textFormat;
  if (format === undefined) return undefined;
  if (!isObject(format) || format.type !== 'json_schema') return constraint(isObject(format) ? format.type : format, 'outputConfig.textFormat.type', 'Member must satisfy enum value set: [json_schema]');
  const schema = isObject(format.structure) && isObject(format.structure.jsonSchema) ? format.structure.jsonSchema.schema : undefined;
  if (typeof schema !== 'string') return constraint(schema, 'outputConfig.textFormat.structure.jsonSchema.schema', 'Member must not be null');
  try {
    if (!isObject(JSON.parse(schema))) throw new Error('not an object');
  } catch {
    return 'outputConfig.textFormat.structure.jsonSchema.schema: the schema is not a valid JSON object';
  }
  return undefined;
}

/** What Anthropic's API refuses for Claude, passed on by Converse. */
function checkAnthropic(json: Json, oneSampler: boolean): string | undefined {
  const inference = (json.inferenceConfig ?? {}) as Json;
  const fields = isObject(json.additionalModelRequestFields) ? json.additionalModelRequestFields : {};
  const thinking = isObject(fields.thinking) ? fields.thinking : undefined;
  if (thinking?.type === 'enabled') {
    const budget = thinking.budget_tokens;
    if (!Number.isInteger(budget)) return 'thinking.enabled.budget_tokens: Field required';
    if ((budget as number) < 1024) return 'thinking.enabled.budget_tokens: Input should be greater than or equal to 1024';
    if (typeof inference.maxTokens === 'number' && inference.maxTokens <= (budget as number)) return '`max_tokens` must be greater than `thinking.budget_tokens`.';
    if (inference.temperature !== undefined && inference.temperature !== 1) return '`temperature` may only be set to 1 when thinking is enabled.';
    if (typeof inference.topP === 'number' && inference.topP < 0.95) return '`top_p` must be greater than or equal to 0.95 or unset when thinking is enabled.';
    const choice = isObject(json.toolConfig) ? (json.toolConfig.toolChoice as Json | undefined) : undefined;
    if (choice !== undefined && ('any' in choice || 'tool' in choice)) return 'Thinking may not be enabled when tool_choice forces tool use.';
  }
  if (oneSampler && inference.temperature !== undefined && inference.topP !== undefined) {
    return '`temperature` and `top_p` cannot both be specified for this model. Please use only one.';
  }
  return undefined;
}
