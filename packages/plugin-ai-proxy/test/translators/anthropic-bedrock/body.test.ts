import { describe, expect, it } from 'vitest';
import { byteText } from '../../../src/text/byte-text.js';
import { toBedrockBody, toCountTokensBody } from '../../../src/translators/anthropic-bedrock/body.js';
import { BEDROCK_BETA_POLICY } from '../../../src/translators/anthropic-bedrock/beta-policy.js';
import { headerBetas } from '../../../src/translators/anthropic-bedrock/betas.js';
import { listFixtures, readFixture, type Capture, type CapturedRequest } from '../../support/fixtures.js';
import { anthropicToBedrock } from '../../../src/translators/anthropic-bedrock/index.js';
/** The body as the Bedrock pair reads it (with its beta policy's words indexed). */
const parseForBedrock = (bytes: Uint8Array) => anthropicToBedrock.parseBody(bytes);

/** The body as access reads it (parseMessagesBody), which is what toBedrockBody takes. */
const bytesOf = (text: string) => parseForBedrock(Buffer.from(text, 'utf8'));

const MODEL = 'us.anthropic.claude-haiku-4-5-20251001-v1:0';

function convert(request: CapturedRequest, model = MODEL) {
  const body = request.body ?? request.bodyTruncated;
  if (body === undefined) throw new Error('capture without body');
  const text = JSON.stringify(body);
  return { original: body, text, out: toBedrockBody({ body: bytesOf(text), model, headerBetas: headerBetas(request.headers) }) };
}

const captures = listFixtures('claude-code/', '.json')
  .filter((file) => !file.includes('error-retry-matrix'))
  .map((file) => ({ file, capture: readFixture<Capture>(file) }));

describe('Anthropic → InvokeModel body, every Claude Code capture', () => {
  const cases = captures.flatMap(({ file, capture }) =>
    capture.requests.filter((request) => request.body ?? request.bodyTruncated).map((request) => [`${file} #${request.seq}`, request] as const),
  );
  it('has captures to check', () => expect(cases.length).toBeGreaterThan(15));

  it.each(cases)('%s is a valid Bedrock body', (_name, request) => {
    const { original, out } = convert(request);
    const parsed = JSON.parse(Buffer.concat(out.body).toString('utf8')) as Record<string, unknown>;
    const keys = Object.keys(parsed);
    expect(keys).not.toContain('model');
    expect(keys).not.toContain('stream');
    expect(keys).not.toContain('context_management');
    expect(keys.at(-1)).toBe('anthropic_version');
    expect(parsed.anthropic_version).toBe('bedrock-2023-05-31');
    const betas = (parsed.anthropic_beta ?? []) as string[];
    for (const flag of betas) expect(BEDROCK_BETA_POLICY.accepted).toContain(flag);
    expect(betas).not.toContain('claude-code-20250219');
    expect((parsed.thinking as Record<string, unknown> | undefined)?.display).toBeUndefined();
    const tools = (parsed.tools ?? []) as Record<string, unknown>[];
    if (!betas.includes('tool-search-tool-2025-10-19')) for (const tool of tools) expect(tool).not.toHaveProperty('defer_loading');
    for (const tool of tools) expect(tool).not.toHaveProperty('eager_input_streaming');
    // Untouched members keep their exact bytes.
    for (const name of ['messages', 'system', 'metadata', 'max_tokens'] as const) {
      if (name in original) expect(JSON.stringify(parsed[name])).toBe(JSON.stringify(original[name]));
    }
    // Every other member the client sent survives.
    const dropped = new Set(['model', 'stream', 'context_management', 'thinking', 'tools']);
    for (const key of Object.keys(original)) if (!dropped.has(key)) expect(keys).toContain(key);
  });
});

/** The request Claude Code sent to the first-party API and the one it sent to Bedrock for the same turn. */
const pairs = [
  { name: '2.1.330 main', firstParty: ['claude-code/cc-2.1.330-print-json.full.json', 1], bedrock: ['bedrock/claude-code-bedrock-mode-2.1.330.full.json', 5], model: MODEL },
  { name: '2.0.37 main', firstParty: ['claude-code/cc-2.0.37-print-json.full.json', 1], bedrock: ['bedrock/claude-code-bedrock-mode-2.0.37.full.json', 1], model: MODEL },
  {
    name: '2.0.37 sonnet warmup',
    firstParty: ['claude-code/cc-2.0.37-print-json.full.json', 3],
    bedrock: ['bedrock/claude-code-bedrock-mode-2.0.37.full.json', 3],
    model: 'us.anthropic.claude-sonnet-4-5-20250929-v1:0',
  },
] as const;

function requestOf([file, seq]: readonly [string, number]): CapturedRequest {
  const found = readFixture<Capture>(file).requests.find((request) => request.seq === seq);
  if (found === undefined) throw new Error(`${file} has no request ${seq}`);
  return found;
}

describe('matches what Claude Code itself sends Bedrock', () => {
  it.each(pairs)('$name', ({ firstParty, bedrock, model }) => {
    const ours = JSON.parse(Buffer.concat(convert(requestOf(firstParty), model).out.body).toString('utf8')) as Record<string, unknown>;
    const cc = (requestOf(bedrock).body ?? requestOf(bedrock).bodyTruncated) as Record<string, unknown>;
    expect(Object.keys(ours)).toEqual(Object.keys(cc));
    expect(ours.anthropic_beta).toEqual(cc.anthropic_beta);
    expect(ours.anthropic_version).toEqual(cc.anthropic_version);
    expect(ours.thinking).toEqual(cc.thinking);
    expect(ours.max_tokens).toEqual(cc.max_tokens);
    const toolShape = (tools: unknown) => (tools as Record<string, unknown>[]).map((tool) => [tool.name, tool.defer_loading ?? false]);
    // Claude Code's Bedrock mode also leaves out WebSearch (2.0.37); we forward the client's tools as sent.
    const ccTools = toolShape(cc.tools);
    expect(toolShape(ours.tools).filter(([name]) => name !== 'WebSearch')).toEqual(ccTools);
  });
});

describe('fields stripped from array elements (the body without its beta header)', () => {
  /** What serializing each stripped member whole writes: the member parsed, its fields removed, stringified. */
  function wholeMember(value: unknown, paths: string[]): string {
    const copy = JSON.parse(JSON.stringify(value)) as Record<string, unknown>[];
    for (const path of paths) {
      const [, ...rest] = path.split('.');
      for (const element of copy) {
        let target: Record<string, unknown> | undefined = element;
        for (const name of rest.slice(0, -1)) target = target?.[name] as Record<string, unknown> | undefined;
        if (target !== undefined && typeof target === 'object') delete target[rest.at(-1)!];
      }
    }
    return JSON.stringify(copy);
  }

  const withTools = captures.flatMap(({ file, capture }) =>
    capture.requests
      .filter((request) => Array.isArray((request.body as { tools?: unknown } | undefined)?.tools))
      .map((request) => [`${file} #${request.seq}`, request.body as Record<string, unknown>] as const),
  );
  it('has captures with deferred tools to check', () =>
    expect(withTools.some(([, body]) => JSON.stringify(body.tools).includes('"defer_loading"'))).toBe(true));

  it.each(withTools)('%s: only the changed tools are rewritten, and the bytes are those of the whole member serialized', (_name, body) => {
    const text = JSON.stringify(body);
    const out = toBedrockBody({ body: bytesOf(text), model: MODEL, headerBetas: [] });
    const tools = JSON.stringify(JSON.parse(Buffer.concat(out.body).toString('utf8')).tools);
    const expected = wholeMember(body.tools, ['tools[].defer_loading', 'tools[].eager_input_streaming', 'tools[].cache_control.ttl']);
    expect(Buffer.concat(out.body).toString('utf8')).toContain(`"tools":${expected}`);
    expect(tools).toBe(expected);
  });

  it("keeps the unchanged stretches of a spliced member as slices of the client's bytes", () => {
    const [, body] = withTools.find(([, b]) => JSON.stringify(b.tools).includes('"defer_loading"'))!;
    const parsed = bytesOf(JSON.stringify(body));
    const out = toBedrockBody({ body: parsed, model: MODEL, headerBetas: [] });
    const copied = out.body.filter((piece) => piece.buffer !== parsed.bytes.buffer).reduce((n, piece) => n + piece.byteLength, 0);
    expect(JSON.stringify(body.tools).length).toBeGreaterThan(10_000);
    expect(copied).toBeLessThan(2_000);
  });

  it('a member laid out otherwise is serialized whole, as before', () => {
    const text = JSON.stringify({ model: 'm', max_tokens: 1, messages: [{ role: 'user', content: 'hi' }], tools: [{ name: 'a', defer_loading: true }, { name: 'b', n: 1.50 }] }).replace('"n":1.5', '"n":1.50');
    const out = Buffer.concat(toBedrockBody({ body: bytesOf(text), model: MODEL, headerBetas: [] }).body).toString('utf8');
    expect(out).toContain('"tools":[{"name":"a"},{"name":"b","n":1.5}]');
  });
});

describe('beta policy', () => {
  const base = JSON.stringify({
    model: 'm',
    max_tokens: 100,
    messages: [{ role: 'user', content: [{ type: 'text', text: 'hi', cache_control: { type: 'ephemeral', ttl: '1h' } }] }],
    system: [{ type: 'text', text: 's', cache_control: { type: 'ephemeral', ttl: '1h' } }],
    tools: [{ name: 't', input_schema: { type: 'object' }, defer_loading: true, eager_input_streaming: true }],
    context_management: { edits: [] },
    mcp_servers: [{ type: 'url', url: 'https://x', name: 'x' }],
    stream: true,
  });
  const run = (betas: string[], model = 'us.anthropic.claude-sonnet-4-5-20250929-v1:0') =>
    JSON.parse(Buffer.concat(toBedrockBody({ body: bytesOf(base), model, headerBetas: betas }).body).toString('utf8')) as Record<string, any>;

  it('renames advanced-tool-use and keeps defer_loading with it', () => {
    const out = run(['advanced-tool-use-2025-11-20']);
    expect(out.anthropic_beta).toEqual(['tool-search-tool-2025-10-19']);
    expect(out.tools[0].defer_loading).toBe(true);
  });
  it('drops unknown and rejected flags together with their fields', () => {
    const out = run(['context-management-2025-06-27', 'fine-grained-tool-streaming-2025-05-14', 'extended-cache-ttl-2025-04-11', 'oauth-2025-04-20']);
    expect(out).not.toHaveProperty('anthropic_beta');
    expect(out).not.toHaveProperty('context_management');
    expect(out).not.toHaveProperty('mcp_servers');
    expect(out.tools[0]).toEqual({ name: 't', input_schema: { type: 'object' } });
    expect(out.system[0].cache_control).toEqual({ type: 'ephemeral' });
    expect(out.messages[0].content[0].cache_control).toEqual({ type: 'ephemeral' });
  });
  it('drops dependent fields even when the client sent no beta at all', () => {
    const out = run([]);
    expect(out).not.toHaveProperty('context_management');
    expect(out.tools[0]).not.toHaveProperty('defer_loading');
  });
  it('applies model exceptions', () => {
    expect(run(['interleaved-thinking-2025-05-14']).anthropic_beta).toEqual(['interleaved-thinking-2025-05-14']);
    expect(run(['interleaved-thinking-2025-05-14'], MODEL)).not.toHaveProperty('anthropic_beta');
  });
  it('merges body anthropic_beta with the header, de-duplicated', () => {
    const text = JSON.stringify({ messages: [{ role: 'user', content: 'x' }], anthropic_beta: ['context-1m-2025-08-07', 'bogus'], anthropic_version: 'x' });
    const out = JSON.parse(Buffer.concat(toBedrockBody({ body: bytesOf(text), model: 'm', headerBetas: ['context-1m-2025-08-07', 'token-efficient-tools-2025-02-19'] }).body).toString('utf8'));
    expect(out.anthropic_beta).toEqual(['context-1m-2025-08-07', 'token-efficient-tools-2025-02-19']);
    expect(out.anthropic_version).toBe('bedrock-2023-05-31');
  });
  it('reports dropped flags', () => {
    const out = toBedrockBody({ body: bytesOf(base), model: 'm', headerBetas: ['claude-code-20250219', 'interleaved-thinking-2025-05-14'] });
    expect(out.droppedBetas).toEqual(['claude-code-20250219']);
    expect(out.betas).toEqual(['interleaved-thinking-2025-05-14']);
  });
  it('uses a configured anthropic_version', () => {
    const out = JSON.parse(Buffer.concat(toBedrockBody({ body: bytesOf(base), model: 'm', headerBetas: [], options: { anthropic_version: 'bedrock-2099-01-01' } }).body).toString('utf8'));
    expect(out.anthropic_version).toBe('bedrock-2099-01-01');
  });
  it('keeps member bytes that need no change (thinking signatures stay exact)', () => {
    const text = '{"model":"m","messages":[{"role":"assistant","content":[{"type":"thinking","thinking":"a\\u00e9\\"b","signature":"Zz=="}]}] ,"max_tokens" : 5}';
    const out = Buffer.concat(toBedrockBody({ body: bytesOf(text), model: 'm', headerBetas: [] }).body).toString('utf8');
    expect(out).toBe('{"messages":[{"role":"assistant","content":[{"type":"thinking","thinking":"a\\u00e9\\"b","signature":"Zz=="}]}],"max_tokens":5,"anthropic_version":"bedrock-2023-05-31"}');
  });
});

describe('non-ASCII bodies (spliced as bytes)', () => {
  it('keeps raw UTF-8 of untouched members byte-exact and re-encodes a changed member as UTF-8', () => {
    // messages: raw multi-byte text and an escape; tools: changed (defer_loading dropped), with both too.
    const text = '{"model":"m","messages":[{"role":"user","content":"é中😀 \\u00e9"}],' +
      '"tools":[{"name":"t","description":"café \\u4e2d 😀","input_schema":{"type":"object"},"defer_loading":true}],"clé":1}';
    const out = toBedrockBody({ body: bytesOf(text), model: 'm', headerBetas: [] });
    expect(Buffer.concat(out.body).toString('utf8')).toBe(
      '{"messages":[{"role":"user","content":"é中😀 \\u00e9"}],' +
        '"tools":[{"name":"t","description":"café 中 😀","input_schema":{"type":"object"}}],"clé":1,"anthropic_version":"bedrock-2023-05-31"}',
    );
    expect(byteText(Buffer.concat(out.body))).toBeDefined(); // valid UTF-8
  });
  it('rejects bytes that are not UTF-8', () => {
    expect(byteText(Buffer.from([0x7b, 0xff, 0x7d]))).toBeUndefined();
  });
});

describe('CountTokens body', () => {
  it('wraps the InvokeModel body base64 like the AWS SDK does, adding max_tokens', () => {
    const text = JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'hi' }], thinking: { type: 'enabled', budget_tokens: 2000 } });
    const wrapped = JSON.parse(toCountTokensBody(toBedrockBody({ body: bytesOf(text), model: 'm', headerBetas: [] })).toString('utf8'));
    const inner = JSON.parse(Buffer.from(wrapped.input.invokeModel.body, 'base64').toString('utf8'));
    expect(inner).toEqual({ max_tokens: 2001, messages: [{ role: 'user', content: 'hi' }], thinking: { type: 'enabled', budget_tokens: 2000 }, anthropic_version: 'bedrock-2023-05-31' });
  });
  it('has the shape of the SDK capture', () => {
    const sdk = readFixture<{ requests: { operation: string; body: any }[] }>('bedrock/aws-sdk-requests-h1.json').requests.find((r) => r.operation === 'count-tokens');
    const sdkInner = Buffer.from(sdk!.body.input.invokeModel.body, 'base64').toString('utf8');
    const parsed = JSON.parse(sdkInner);
    const ours = toCountTokensBody(toBedrockBody({ body: bytesOf(JSON.stringify({ model: 'x', max_tokens: parsed.max_tokens, system: parsed.system, messages: parsed.messages })), model: 'x', headerBetas: [] }));
    const oursInner = JSON.parse(Buffer.from(JSON.parse(ours.toString('utf8')).input.invokeModel.body, 'base64').toString('utf8'));
    expect(oursInner).toEqual(parsed);
    expect(Object.keys(JSON.parse(ours.toString('utf8')))).toEqual(Object.keys(sdk!.body));
  });
});
