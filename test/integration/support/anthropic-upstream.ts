/**
 * A stand-in for the Anthropic Messages API on 127.0.0.1 (POST /v1/messages), for pairs whose backend is
 * `anthropic`. It checks what Anthropic's API reference documents for a request (x-api-key and
 * anthropic-version headers; the body's known members, required ones, roles that alternate, content blocks
 * by type, tool ids, tool results that answer the previous turn's calls, tools declared when the history
 * holds tool blocks, thinking budgets, sampling ranges) and answers 400 invalid_request_error naming the
 * problem, as Anthropic does. Answers are Anthropic messages and SSE streams (checked with the Anthropic
 * SDK in the tests that use it), chosen by a `[scenario:<name>]` marker in the last user text or queued.
 */
import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { randomBytes } from 'node:crypto';

type Json = Record<string, any>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

export type AnthropicScenario = 'text' | 'echo' | 'tool_use' | 'thinking' | 'cached' | 'rate_limited' | 'overloaded' | 'stream_error' | 'stream_cut' | 'slow';

export interface AnthropicRequest {
  path: string;
  headers: Record<string, string>;
  json: Json;
  /** The validation problem, when the stand-in refused the body. */
  problem: string | undefined;
}

export interface AnthropicUpstream {
  url: string;
  port: number;
  received: AnthropicRequest[];
  queue(...scenarios: AnthropicScenario[]): void;
  close(): Promise<void>;
}

const TOP_LEVEL = new Set(['model', 'messages', 'max_tokens', 'system', 'metadata', 'stop_sequences', 'stream', 'temperature', 'top_p', 'top_k', 'tools', 'tool_choice', 'thinking', 'output_config', 'service_tier', 'container', 'mcp_servers', 'context_management']);
const BLOCKS: Record<string, string[]> = {
  text: ['type', 'text', 'cache_control', 'citations'],
  image: ['type', 'source', 'cache_control'],
  document: ['type', 'source', 'cache_control', 'title', 'context', 'citations'],
  tool_use: ['type', 'id', 'name', 'input', 'cache_control'],
  tool_result: ['type', 'tool_use_id', 'content', 'is_error', 'cache_control'],
  thinking: ['type', 'thinking', 'signature'],
};
const IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/gif', 'image/webp'];

/** Anthropic's documented request shape; the first problem found, as its error message would say it. */
export function checkMessagesBody(body: unknown): string | undefined {
  if (!isObject(body)) return 'body: Input should be an object';
  for (const key of Object.keys(body)) if (!TOP_LEVEL.has(key)) return `${key}: Extra inputs are not permitted`;
  if (typeof body.model !== 'string' || body.model === '') return 'model: Field required';
  if (!Number.isInteger(body.max_tokens) || body.max_tokens < 1) return 'max_tokens: Field required';
  if (!Array.isArray(body.messages) || body.messages.length === 0) return 'messages: Field required';
  for (const name of ['temperature', 'top_p'] as const) {
    if (body[name] !== undefined && (typeof body[name] !== 'number' || body[name] < 0 || body[name] > 1)) return `${name}: Input should be less than or equal to 1`;
  }
  if (body.temperature !== undefined && body.top_p !== undefined) return '`temperature` and `top_p` cannot both be specified for this model. Please use only one.';
  if (body.stop_sequences !== undefined && (!Array.isArray(body.stop_sequences) || body.stop_sequences.some((s: unknown) => typeof s !== 'string'))) return 'stop_sequences: Input should be a valid list';
  if (body.system !== undefined && typeof body.system !== 'string') {
    if (!Array.isArray(body.system)) return 'system: Input should be a valid list';
    for (const [i, block] of body.system.entries()) if (!isObject(block) || block.type !== 'text' || typeof block.text !== 'string') return `system.${i}: Input should be a text block`;
  }
  if (body.metadata !== undefined && (!isObject(body.metadata) || Object.keys(body.metadata).some((k) => k !== 'user_id'))) return 'metadata: Extra inputs are not permitted';
  if (isObject(body.thinking) && body.thinking.type === 'enabled') {
    if (!Number.isInteger(body.thinking.budget_tokens) || body.thinking.budget_tokens < 1024) return 'thinking.enabled.budget_tokens: Input should be greater than or equal to 1024';
    if (body.max_tokens <= body.thinking.budget_tokens) return '`max_tokens` must be greater than `thinking.budget_tokens`.';
  }
  if (body.output_config !== undefined) {
    const format = body.output_config?.format;
    if (!isObject(format) || format.type !== 'json_schema' || !isObject(format.schema)) return 'output_config.format: Input should be a json_schema format';
  }
  const tools = body.tools;
  if (tools !== undefined) {
    if (!Array.isArray(tools)) return 'tools: Input should be a valid list';
    for (const [i, tool] of tools.entries()) {
      if (!isObject(tool) || typeof tool.name !== 'string' || !/^[a-zA-Z0-9_-]{1,128}$/.test(tool.name)) return `tools.${i}.name: String should match pattern '^[a-zA-Z0-9_-]{1,128}$'`;
      if (!isObject(tool.input_schema) || tool.input_schema.type !== 'object') return `tools.${i}.input_schema.type: Input should be 'object'`;
      const extra = Object.keys(tool).find((k) => !['name', 'description', 'input_schema', 'cache_control', 'type', 'strict'].includes(k));
      if (extra !== undefined) return `tools.${i}.${extra}: Extra inputs are not permitted`;
    }
  }
  if (body.tool_choice !== undefined) {
    const choice = body.tool_choice;
    if (!isObject(choice) || !['auto', 'any', 'tool', 'none'].includes(choice.type)) return "tool_choice: Input tag does not match any of the expected tags: 'auto', 'any', 'tool', 'none'";
    if (choice.type === 'tool' && !(tools ?? []).some((t: Json) => t.name === choice.name)) return `tool_choice.name: tool '${String(choice.name)}' not found in tools`;
    if (tools === undefined) return 'tool_choice: may only be specified while providing tools';
  }
  return checkMessages(body.messages, tools !== undefined);
}

function checkMessages(messages: unknown[], hasTools: boolean): string | undefined {
  let previous: string | undefined;
  let calls: string[] = [];
  for (const [i, message] of messages.entries()) {
    if (!isObject(message) || !['user', 'assistant'].includes(message.role)) return `messages.${i}.role: Input should be 'user' or 'assistant'`;
    if (message.role === previous) return `messages: roles must alternate between "user" and "assistant", but found multiple "${previous}" roles in a row`;
    previous = message.role;
    const content = typeof message.content === 'string' ? [{ type: 'text', text: message.content }] : message.content;
    if (!Array.isArray(content) || content.length === 0) return `messages.${i}: all messages must have non-empty content`;
    const answered = new Set<string>();
    const made: string[] = [];
    for (const [j, block] of content.entries()) {
      const at = `messages.${i}.content.${j}`;
      if (!isObject(block) || !(block.type in BLOCKS)) return `${at}.type: Input tag '${String(block?.type)}' is not one of the expected tags`;
      const extra = Object.keys(block).find((k) => !BLOCKS[block.type]!.includes(k));
      if (extra !== undefined) return `${at}.${block.type}.${extra}: Extra inputs are not permitted`;
      if (block.cache_control !== undefined && block.cache_control?.type !== 'ephemeral') return `${at}.cache_control.type: Input should be 'ephemeral'`;
      switch (block.type) {
        case 'text':
          if (typeof block.text !== 'string' || block.text === '') return `${at}: text content blocks must be non-empty`;
          break;
        case 'image': {
          const source = block.source;
          if (message.role !== 'user') return `${at}: image blocks are only allowed in user messages`;
          if (source?.type === 'base64') {
            if (!IMAGE_TYPES.includes(source.media_type)) return `${at}.source.base64.media_type: Input should be 'image/jpeg', 'image/png', 'image/gif' or 'image/webp'`;
            if (typeof source.data !== 'string' || !/^[A-Za-z0-9+/]+=*$/.test(source.data)) return `${at}.source.base64.data: invalid base64 data`;
          } else if (source?.type === 'url') {
            if (typeof source.url !== 'string' || !/^https?:\/\//.test(source.url)) return `${at}.source.url.url: Input should be a valid URL`;
          } else return `${at}.source: Input tag does not match the expected tags: 'base64', 'url', 'file'`;
          break;
        }
        case 'document':
          if (!['base64', 'text', 'url'].includes(block.source?.type)) return `${at}.source: Input tag does not match the expected tags`;
          break;
        case 'tool_use':
          if (message.role !== 'assistant') return `${at}: tool_use blocks are only allowed in assistant messages`;
          if (typeof block.id !== 'string' || !/^[a-zA-Z0-9_-]+$/.test(block.id)) return `${at}.tool_use.id: String should match pattern '^[a-zA-Z0-9_-]+$'`;
          if (!isObject(block.input)) return `${at}.tool_use.input: Input should be a valid dictionary`;
          made.push(block.id);
          break;
        case 'tool_result':
          if (message.role !== 'user') return `${at}: tool_result blocks are only allowed in user messages`;
          if (!calls.includes(block.tool_use_id)) return `${at}: unexpected \`tool_use_id\` found in \`tool_result\` blocks: ${String(block.tool_use_id)}. Each \`tool_result\` block must have a corresponding \`tool_use\` block in the previous message.`;
          if (block.content !== undefined && typeof block.content !== 'string' && !Array.isArray(block.content)) return `${at}.tool_result.content: Input should be a valid list`;
          answered.add(block.tool_use_id);
          break;
      }
      if ((block.type === 'tool_use' || block.type === 'tool_result') && !hasTools) return 'Requests which include `tool_use` or `tool_result` blocks must define tools.';
    }
    if (message.role === 'user' && calls.some((id) => !answered.has(id))) {
      return `messages.${i}: \`tool_use\` ids were found without \`tool_result\` blocks immediately after: ${calls.filter((id) => !answered.has(id)).join(', ')}. Each \`tool_use\` block must have a corresponding \`tool_result\` block in the next message.`;
    }
    calls = message.role === 'assistant' ? made : [];
  }
  if (previous === 'assistant' && calls.length > 0) return 'messages: the last assistant message calls tools that no tool_result answers';
  return undefined;
}

const tokens = (text: string) => Math.max(1, Math.ceil(Buffer.byteLength(text) / 4));

function lastUserText(messages: Json[]): string {
  const last = [...messages].reverse().find((m) => m.role === 'user');
  if (last === undefined) return '';
  if (typeof last.content === 'string') return last.content;
  return (last.content as Json[]).map((b) => (b.type === 'text' ? b.text : b.type === 'tool_result' ? toolResultText(b) : '')).join('');
}

function toolResultText(block: Json): string {
  if (typeof block.content === 'string') return block.content;
  return Array.isArray(block.content) ? block.content.map((b: Json) => (b.type === 'text' ? b.text : '')).join('') : '';
}

interface Answer {
  content: Json[];
  stop: string;
  usage: Json;
}

function answerFor(body: Json, scenario: AnthropicScenario): Answer {
  const messages = body.messages as Json[];
  const last = messages.at(-1)!;
  const prompt = tokens(JSON.stringify(body.messages) + JSON.stringify(body.system ?? '') + JSON.stringify(body.tools ?? ''));
  const usage: Json = { input_tokens: prompt, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 0 };
  let content: Json[];
  let stop = 'end_turn';
  const result = Array.isArray(last.content) ? (last.content as Json[]).find((b) => b.type === 'tool_result') : undefined;
  if (result !== undefined) content = [{ type: 'text', text: `The tool said: ${toolResultText(result)}` }];
  else if (scenario === 'tool_use') {
    const tool = (body.tools as Json[] | undefined)?.[0] ?? { name: 'get_weather', input_schema: { required: [] } };
    const input: Json = {};
    for (const name of (tool.input_schema?.required ?? []) as string[]) input[name] = 'echo ok';
    content = [{ type: 'text', text: "I'll check." }, { type: 'tool_use', id: `toolu_${randomBytes(10).toString('hex')}`, name: tool.name, input }];
    stop = 'tool_use';
  } else if (scenario === 'echo' || scenario === 'slow') {
    content = [{ type: 'text', text: lastUserText(messages).replace(/\s*\[scenario:[a-z_]+\]\s*/g, ' ').trim() }];
  } else if (scenario === 'thinking') {
    content = [{ type: 'thinking', thinking: 'Six times seven.', signature: 'c2lnbmF0dXJl' }, { type: 'text', text: '42' }];
  } else content = [{ type: 'text', text: 'Hello from the Anthropic stand-in.' }];
  if (scenario === 'cached') {
    usage.cache_read_input_tokens = Math.floor(prompt / 2);
    usage.cache_creation_input_tokens = 10;
    usage.input_tokens = prompt - usage.cache_read_input_tokens - 10;
  }
  usage.output_tokens = tokens(JSON.stringify(content));
  return { content, stop, usage };
}

function sse(type: string, data: Json): string {
  return `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
}

function streamEvents(message: Json, answer: Answer): string[] {
  const events = [sse('message_start', { message: { ...message, content: [], stop_reason: null, usage: { ...answer.usage, output_tokens: 1 } } }), sse('ping', {})];
  answer.content.forEach((block, index) => {
    if (block.type === 'text') {
      events.push(sse('content_block_start', { index, content_block: { type: 'text', text: '' } }));
      for (const piece of (block.text as string).match(/\s*\S+/g) ?? ['']) events.push(sse('content_block_delta', { index, delta: { type: 'text_delta', text: piece } }));
    } else if (block.type === 'tool_use') {
      events.push(sse('content_block_start', { index, content_block: { type: 'tool_use', id: block.id, name: block.name, input: {} } }));
      const json = JSON.stringify(block.input);
      const half = Math.ceil(json.length / 2);
      for (const part of [json.slice(0, half), json.slice(half)]) events.push(sse('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: part } }));
    } else {
      events.push(sse('content_block_start', { index, content_block: { type: 'thinking', thinking: '', signature: '' } }));
      events.push(sse('content_block_delta', { index, delta: { type: 'thinking_delta', thinking: block.thinking } }));
      events.push(sse('content_block_delta', { index, delta: { type: 'signature_delta', signature: block.signature } }));
    }
    events.push(sse('content_block_stop', { index }));
  });
  events.push(sse('message_delta', { delta: { stop_reason: answer.stop, stop_sequence: null }, usage: { output_tokens: answer.usage.output_tokens } }));
  events.push(sse('message_stop', {}));
  return events;
}

const ERRORS: Partial<Record<AnthropicScenario, { status: number; type: string; message: string; headers?: Record<string, string> }>> = {
  rate_limited: { status: 429, type: 'rate_limit_error', message: 'Number of request tokens has exceeded your per-minute rate limit', headers: { 'retry-after': '1', 'anthropic-ratelimit-requests-remaining': '0' } },
  overloaded: { status: 529, type: 'overloaded_error', message: 'Overloaded' },
};

export async function startAnthropicUpstream(options: { apiKey: string; slowIntervalMs?: number }): Promise<AnthropicUpstream> {
  const received: AnthropicRequest[] = [];
  const queued: AnthropicScenario[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : String(v)]));
        const requestId = `req_${randomBytes(12).toString('hex')}`;
        const error = (status: number, type: string, message: string, extra: Record<string, string> = {}) => {
          const body = JSON.stringify({ type: 'error', error: { type, message }, request_id: requestId });
          res.writeHead(status, { 'content-type': 'application/json', 'request-id': requestId, ...extra });
          res.end(body);
        };
        let json: Json;
        try {
          json = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Json;
        } catch {
          json = {};
        }
        const record: AnthropicRequest = { path: req.url ?? '', headers, json, problem: undefined };
        received.push(record);
        if (req.method !== 'POST' || req.url !== '/v1/messages') return error(404, 'not_found_error', 'Not found');
        if (headers['x-api-key'] !== options.apiKey) return error(401, 'authentication_error', 'invalid x-api-key');
        if (headers['anthropic-version'] !== '2023-06-01') return error(400, 'invalid_request_error', 'anthropic-version: header is required');
        record.problem = checkMessagesBody(json);
        if (record.problem !== undefined) return error(400, 'invalid_request_error', record.problem);
        const marker = /\[scenario:([a-z_]+)\]/.exec(lastUserText(json.messages as Json[]))?.[1] as AnthropicScenario | undefined;
        const scenario = queued.shift() ?? marker ?? 'text';
        const scripted = ERRORS[scenario];
        if (scripted !== undefined) return error(scripted.status, scripted.type, scripted.message, scripted.headers);
        const answer = answerFor(json, scenario);
        const message = { id: `msg_${randomBytes(12).toString('hex')}`, type: 'message', role: 'assistant', model: `${String(json.model)}-20251001`.replace(/(-\d{8})-20251001$/, '$1'), content: answer.content, stop_reason: answer.stop, stop_sequence: null, usage: answer.usage };
        if (json.stream !== true) {
          res.writeHead(200, { 'content-type': 'application/json', 'request-id': requestId });
          return res.end(JSON.stringify(message));
        }
        res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'request-id': requestId });
        const events = streamEvents(message, answer);
        if (scenario === 'stream_error' || scenario === 'stream_cut') {
          res.write(events.slice(0, 4).join(''));
          if (scenario === 'stream_cut') return setTimeout(() => res.socket?.destroy(), 20);
          return res.end(sse('error', { error: { type: 'overloaded_error', message: 'Overloaded' } }));
        }
        if (scenario !== 'slow') return res.end(events.join(''));
        for (const event of events) {
          if (res.destroyed) return;
          res.write(event);
          await new Promise((r) => setTimeout(r, options.slowIntervalMs ?? 100));
        }
        return res.end();
      })();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    received,
    queue: (...scenarios) => queued.push(...scenarios),
    close: () => new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    }),
  };
}
