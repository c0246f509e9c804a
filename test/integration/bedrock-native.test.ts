/**
 * Bedrock-native clients through the real gateway: the AWS SDK's own Bedrock Runtime client, pointed at a
 * `llm_format: bedrock` route, authenticated by key-auth (the gw key as a Bedrock API key, or in a header
 * beside a SigV4 signature gw ignores), answered by the Bedrock emulator (InvokeModel and its stream) or a
 * scripted Converse upstream that replays recorded bytes; gw re-signs with its own keys. The SDK parses
 * every answer and raises gw's errors as its typed exceptions.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import {
  AccessDeniedException,
  BedrockRuntimeClient,
  ConverseCommand,
  ConverseStreamCommand,
  CountTokensCommand,
  InternalServerException,
  InvokeModelCommand,
  InvokeModelWithResponseStreamCommand,
  ServiceUnavailableException,
  ThrottlingException,
  ValidationException,
  type BedrockRuntimeClientConfig,
} from '@aws-sdk/client-bedrock-runtime';
import { startBedrockEmulator, verifySigV4, type Emulator } from '@gw/bedrock-emulator';
import { fixtureBytes } from '../fixtures.js';
import { eventually, readLogLines, setEnv, startGateway, tempDir, type LogLine, type RunningGateway } from './support/gateway.js';
import { AWS_KEYS, INPUT_COST, MODEL, OUTPUT_COST, deckEnv } from './support/bedrock.js';

// The SDK's HTTP/1.1 handler (its default is HTTP/2; gw's listener speaks HTTP/1.1), resolved through the SDK.
const sdkRequire = createRequire(createRequire(import.meta.url).resolve('@aws-sdk/client-bedrock-runtime'));
const { NodeHttpHandler } = sdkRequire('@smithy/node-http-handler') as { NodeHttpHandler: new () => never };

const ALICE_KEY = 'gw-alice-bedrock-native-key-7c1f';
const CLIENT_KEYS = { accessKeyId: 'AKIDCLIENTNEVERUSED01', secretAccessKey: 'clientSecretThatGwMustIgnore/0000000000' };

/** A Converse upstream that answers with recorded bytes and keeps what it got (Converse is not the emulator's). */
interface ScriptedConverse {
  url: string;
  received: { path: string; headers: Record<string, string>; body: Buffer; signatureValid: boolean }[];
  close(): Promise<void>;
}

async function startScriptedConverse(): Promise<ScriptedConverse> {
  const received: ScriptedConverse['received'] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : (v ?? '')]));
      const auth = verifySigV4({ method: req.method ?? 'POST', url: req.url ?? '/', headers, body }, { credentials: [AWS_KEYS], region: 'us-east-1' });
      received.push({ path: req.url ?? '', headers, body, signatureValid: auth.ok });
      if (req.url?.endsWith('/converse-stream')) {
        res.writeHead(200, { 'content-type': 'application/vnd.amazon.eventstream', 'x-amzn-requestid': 'scripted-1' });
        res.end(fixtureBytes('bedrock/converse-stream-text.bin'));
        return;
      }
      const answer = JSON.stringify({ output: { message: { role: 'assistant', content: [{ text: 'hi from the script' }] } }, stopReason: 'end_turn', usage: { inputTokens: 11, outputTokens: 5, totalTokens: 16 }, metrics: { latencyMs: 7 } });
      res.writeHead(200, { 'content-type': 'application/json', 'x-amzn-requestid': 'scripted-2', 'content-length': Buffer.byteLength(answer) });
      res.end(answer);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

function config(logPath: string, converseUrl: string): string {
  const aiProxy = (extra: string) => `
          - name: key-auth
            config: { key_names: [x-api-key, authorization], hide_credentials: true }
          - name: ai-proxy
            config:
              llm_format: bedrock
              route_type: llm/v1/chat
              logging: { log_statistics: true }
              max_request_body_size: 65536
              auth:
                aws_access_key_id: "\${aws_access_key_id}"
                aws_secret_access_key: "\${aws_secret_access_key}"
              model:
                provider: bedrock
                name: ${MODEL}
                options:
                  bedrock: { aws_region: "\${aws_region}" }
                  input_cost: ${INPUT_COST}
                  output_cost: ${OUTPUT_COST}${extra}`;
  return `_format_version: "3.0"
consumers:
  - username: alice
    keyauth_credentials: [{ key: ${ALICE_KEY} }]
services:
  - name: bedrock
    url: http://127.0.0.1:9
    routes:
      - name: bedrock
        paths: [/bedrock]
        plugins:${aiProxy('')}
      - name: pinned
        paths: [/pinned]
        plugins:${aiProxy('\n              model_aliases: {}')}
      - name: converse
        paths: [/converse]
        plugins:${aiProxy(`\n                  upstream_url: ${converseUrl}`)}
plugins:
  - name: file-log
    config: { path: ${logPath} }
`;
}

const decode = (bytes: Uint8Array | undefined) => JSON.parse(Buffer.from(bytes ?? []).toString('utf8'));
const body = (text: string, extra: object = {}) => JSON.stringify({ anthropic_version: 'bedrock-2023-05-31', max_tokens: 64, messages: [{ role: 'user', content: text }], ...extra });

describe('Bedrock-native clients through gw (the AWS SDK)', () => {
  let emulator: Emulator;
  let scripted: ScriptedConverse;
  let gw: RunningGateway;
  let logPath: string;
  let restoreEnv: () => void;

  beforeAll(async () => {
    emulator = await startBedrockEmulator({ credentials: [AWS_KEYS] });
    scripted = await startScriptedConverse();
    restoreEnv = setEnv({ AWS_ENDPOINT_URL_BEDROCK_RUNTIME: emulator.url });
    const dir = tempDir();
    logPath = join(dir, 'bedrock.json');
    gw = await startGateway(config(logPath, scripted.url), { dir, env: deckEnv });
  });
  afterAll(async () => {
    await gw?.close();
    restoreEnv?.();
    await scripted?.close();
    await emulator?.close();
  });

  /** The gw key as a Bedrock API key: the SDK sends `authorization: Bearer <key>`, no SigV4. */
  const bearer = (route = '/bedrock', extra: Partial<BedrockRuntimeClientConfig> = {}) =>
    new BedrockRuntimeClient({
      endpoint: `${gw.url}${route}`,
      region: 'us-east-1',
      token: { token: ALICE_KEY },
      authSchemePreference: ['httpBearerAuth'],
      requestHandler: new NodeHttpHandler(),
      ...extra,
    });

  /** A SigV4 client (with keys gw never sees used) whose gw key travels in `x-api-key`, added by a middleware. */
  const sigv4 = (key: string | undefined) => {
    const client = new BedrockRuntimeClient({ endpoint: `${gw.url}/bedrock`, region: 'us-east-1', credentials: CLIENT_KEYS, requestHandler: new NodeHttpHandler() });
    if (key !== undefined) {
      client.middlewareStack.add((next) => (args) => {
        (args.request as { headers: Record<string, string> }).headers['x-api-key'] = key;
        return next(args);
      }, { step: 'build', name: 'gwKey' });
    }
    return client;
  };

  const lineFor = (id: string | undefined) =>
    eventually(() => readLogLines(logPath).find((l) => l.request.id === id), `the log line of ${id}`);

  /** The log line of the last request the emulator got (by the request id gw sent upstream). */
  const lastLine = async (): Promise<LogLine> => lineFor(emulator.received.at(-1)!.headers['x-kong-request-id']);

  it('InvokeModel: the gw key as a Bedrock API key; gw signs with its own keys; the log has usage and the consumer', async () => {
    const out = await bearer().send(new InvokeModelCommand({ modelId: MODEL, contentType: 'application/json', accept: 'application/json', body: body('say hi') }));
    const message = decode(out.body);
    expect(message).toMatchObject({ type: 'message', model: 'claude-haiku-4-5-20251001', content: [{ type: 'text', text: 'Hello from the Bedrock emulator.' }] });
    const upstream = emulator.received.at(-1)!;
    expect(upstream.signatureValid).toBe(true);
    expect(upstream.headers.authorization).toMatch(new RegExp(`^AWS4-HMAC-SHA256 Credential=${AWS_KEYS.accessKeyId}/`));
    expect(upstream.path).toBe(`/model/${encodeURIComponent(MODEL)}/invoke`);
    expect(upstream.body.toString('utf8')).toBe(body('say hi'));
    const line = await lastLine();
    expect(line.consumer.username).toBe('alice');
    expect(line.request.headers.authorization).toBe('REDACTED');
    const ai = line.ai.proxy;
    expect(ai.meta).toMatchObject({ provider_name: 'bedrock', request_model: MODEL, response_model: 'claude-haiku-4-5-20251001', request_mode: 'oneshot' });
    expect(ai.meta.llm_latency).toBeGreaterThanOrEqual(0);
    expect(ai.usage.prompt_tokens).toBe(message.usage.input_tokens);
    expect(ai.usage.completion_tokens).toBe(message.usage.output_tokens);
    expect(ai.usage.cost).toBeCloseTo((message.usage.input_tokens * INPUT_COST + message.usage.output_tokens * OUTPUT_COST) / 1e6, 12);
    expect(ai.tried_targets[0]).toMatchObject({ provider: 'bedrock', upstream_uri: `/model/${encodeURIComponent(MODEL)}/invoke` });
  });

  it('InvokeModelWithResponseStream: the SDK decodes the relayed event stream; the log has usage and time to first token', async () => {
    const out = await bearer().send(new InvokeModelWithResponseStreamCommand({ modelId: MODEL, contentType: 'application/json', body: body('say hi') }));
    expect(out.contentType).toBe('application/json');
    const events: any[] = [];
    for await (const item of out.body!) events.push(decode(item.chunk?.bytes));
    expect(events[0].type).toBe('message_start');
    expect(events.at(-1).type).toBe('message_stop');
    expect(events.filter((e) => e.type === 'content_block_delta').map((e) => e.delta.text).join('')).toBe('Hello from the Bedrock emulator.');
    const start = events[0].message.usage;
    const delta = events.find((e) => e.type === 'message_delta').usage;
    const ai = (await lastLine()).ai.proxy;
    expect(ai.meta.request_mode).toBe('stream');
    expect(ai.usage.prompt_tokens).toBe(start.input_tokens);
    expect(ai.usage.completion_tokens).toBe(delta.output_tokens);
    expect(ai.usage.time_to_first_token).toBeGreaterThanOrEqual(0);
    expect(ai.usage.time_to_first_token).toBeLessThanOrEqual(ai.meta.llm_latency);
  });

  it('takes the key from AWS_BEARER_TOKEN_BEDROCK, as the SDK and Claude Code read it', async () => {
    const restore = setEnv({ AWS_BEARER_TOKEN_BEDROCK: ALICE_KEY });
    try {
      const client = new BedrockRuntimeClient({ endpoint: `${gw.url}/bedrock`, region: 'us-east-1', requestHandler: new NodeHttpHandler() });
      const out = await client.send(new InvokeModelCommand({ modelId: MODEL, contentType: 'application/json', body: body('say hi') }));
      expect(decode(out.body).content[0].text).toBe('Hello from the Bedrock emulator.');
    } finally {
      restore();
    }
  });

  it("ignores a SigV4 client's signature: its gw key in x-api-key authenticates, gw's keys sign", async () => {
    const out = await sigv4(ALICE_KEY).send(new InvokeModelCommand({ modelId: MODEL, contentType: 'application/json', body: body('say hi') }));
    expect(decode(out.body).content[0].text).toBe('Hello from the Bedrock emulator.');
    const upstream = emulator.received.at(-1)!;
    expect(upstream.signatureValid).toBe(true);
    expect(upstream.headers.authorization).not.toContain(CLIENT_KEYS.accessKeyId);
    expect(upstream.headers['x-api-key']).toBeUndefined();
  });

  it("raises gw's own refusals as the SDK's typed exceptions, not retried", async () => {
    const refused = async (client: BedrockRuntimeClient, modelId: string, text = 'say hi') => {
      const before = emulator.received.length;
      const error = await client.send(new InvokeModelCommand({ modelId, contentType: 'application/json', body: text })).catch((e: unknown) => e);
      expect(emulator.received.length, 'nothing reached Bedrock').toBe(before);
      return error as { name: string; message: string; $metadata: { httpStatusCode: number; attempts: number } };
    };
    const noKey = await refused(sigv4(undefined), MODEL, body('x'));
    expect(noKey).toBeInstanceOf(AccessDeniedException);
    expect(noKey.message).toBe('Unauthorized'); // its SigV4 `authorization` is no gw key
    expect(noKey.$metadata).toMatchObject({ httpStatusCode: 401, attempts: 1 });
    const wrongKey = await refused(bearer('/bedrock', { token: { token: 'not-a-key' } }), MODEL, body('x'));
    expect(wrongKey).toBeInstanceOf(AccessDeniedException);
    const pinned = await refused(bearer('/pinned'), 'us.anthropic.claude-sonnet-4-5-20250929-v1:0', body('x'));
    expect(pinned).toBeInstanceOf(ValidationException);
    expect(pinned.message).toBe(`cannot use own model - must be: ${MODEL}`);
    expect(pinned.$metadata).toMatchObject({ httpStatusCode: 400, attempts: 1 });
    const tooLarge = await refused(bearer(), MODEL, body('x'.repeat(70_000)));
    expect(tooLarge).toBeInstanceOf(ValidationException);
    expect(tooLarge.$metadata.httpStatusCode).toBe(413);
    const notJson = await refused(bearer(), MODEL, 'not json');
    expect(notJson).toBeInstanceOf(ValidationException);
  });

  it("answers the control plane's ListInferenceProfiles with Bedrock Runtime's 404", async () => {
    const res = await fetch(`${gw.url}/bedrock/inference-profiles?type=SYSTEM_DEFINED`, { headers: { authorization: `Bearer ${ALICE_KEY}` } });
    expect(res.status).toBe(404);
    expect(res.headers.get('x-amzn-errortype')).toBe('UnknownOperationException');
    expect((await res.json()).message).toMatch(/^this route serves only the Bedrock Runtime operations/);
  });

  it("reaches the SDK's retries with Bedrock's errors as Bedrock sent them", async () => {
    const fail = async (scenario: string, maxAttempts = 3) => {
      const before = emulator.received.length;
      const error = (await bearer('/bedrock', { maxAttempts }).send(new InvokeModelCommand({ modelId: MODEL, contentType: 'application/json', body: body(`say hi [scenario:${scenario}]`) })).catch((e: unknown) => e)) as { $metadata: { httpStatusCode: number; attempts: number } };
      return { error, requests: emulator.received.length - before };
    };
    const throttled = await fail('throttle');
    expect(throttled.error).toBeInstanceOf(ThrottlingException);
    expect(throttled.error.$metadata).toMatchObject({ httpStatusCode: 429, attempts: 3 });
    expect(throttled.requests).toBe(3);
    const overloaded = await fail('overload', 2);
    expect(overloaded.error).toBeInstanceOf(ServiceUnavailableException);
    expect(overloaded.requests).toBe(2);
    const invalid = await fail('validation');
    expect(invalid.error).toBeInstanceOf(ValidationException);
    expect(invalid.requests).toBe(1);
    const denied = await fail('access_denied');
    expect(denied.error).toBeInstanceOf(AccessDeniedException);
    expect(denied.error.$metadata.httpStatusCode).toBe(403);
    // A throttled first attempt, then the SDK's retry succeeds.
    const before = emulator.received.length;
    const out = await bearer().send(new InvokeModelCommand({ modelId: MODEL, contentType: 'application/json', body: body('say hi [scenario:throttle_once]') }));
    expect(decode(out.body).content[0].text).toBe('Hello from the Bedrock emulator.');
    expect(emulator.received.length - before).toBe(2);
    const line = (await lastLine()).ai.proxy;
    expect(line.error).toBeUndefined();
  });

  it("passes an exception inside a stream on as Bedrock's: the SDK yields the events, then raises it; the log records it", async () => {
    const out = await bearer().send(new InvokeModelWithResponseStreamCommand({ modelId: MODEL, contentType: 'application/json', body: body('say hi [scenario:exception_mid_stream]') }));
    const events: any[] = [];
    const error = await (async () => {
      for await (const item of out.body!) events.push(decode(item.chunk?.bytes));
    })().catch((e: unknown) => e);
    expect(events.length).toBe(2);
    expect(error).toBeInstanceOf(InternalServerException);
    const ai = (await lastLine()).ai.proxy;
    expect(ai.error).toMatchObject({ status: 500, type: 'InternalServerException', upstream_type: 'InternalServerException', events_sent: 2 });
  });

  it("ends a stream Bedrock cut mid-frame with gw's own exception, which the SDK raises", async () => {
    const out = await bearer().send(new InvokeModelWithResponseStreamCommand({ modelId: MODEL, contentType: 'application/json', body: body('say hi [scenario:truncated]') }));
    const events: any[] = [];
    const error = (await (async () => {
      for await (const item of out.body!) events.push(decode(item.chunk?.bytes));
    })().catch((e: unknown) => e)) as Error;
    expect(events.length).toBe(2);
    expect(error).toBeInstanceOf(InternalServerException);
    expect(error.message).toBe('upstream stream ended in the middle of an event');
  });

  it('CountTokens on a foundation id: aliased to the route, counted on its foundation model', async () => {
    const out = await bearer().send(new CountTokensCommand({ modelId: 'anthropic.claude-haiku-4-5-20251001-v1:0', input: { invokeModel: { body: new TextEncoder().encode(body('count me')) } } }));
    expect(out.inputTokens).toBeGreaterThan(0);
    expect(emulator.received.at(-1)!.path).toBe('/model/anthropic.claude-haiku-4-5-20251001-v1%3A0/count-tokens');
    const line = await lastLine();
    expect(line.ai.proxy.tried_targets[0].route_type).toBe('llm/v1/count_tokens');
  });

  it('Converse and ConverseStream: the request goes on as the SDK wrote it, the answer comes back as recorded', async () => {
    const client = bearer('/converse');
    const request = { modelId: MODEL, messages: [{ role: 'user' as const, content: [{ text: 'say hi' }] }], inferenceConfig: { maxTokens: 64 } };
    const out = await client.send(new ConverseCommand(request));
    expect(out.output?.message?.content?.[0]?.text).toBe('hi from the script');
    expect(out.usage).toEqual({ inputTokens: 11, outputTokens: 5, totalTokens: 16 });
    const sent = scripted.received.at(-1)!;
    expect(sent.path).toBe(`/model/${encodeURIComponent(MODEL)}/converse`);
    expect(sent.signatureValid).toBe(true);
    expect(JSON.parse(sent.body.toString('utf8'))).toEqual({ messages: request.messages, inferenceConfig: request.inferenceConfig });

    const stream = await client.send(new ConverseStreamCommand(request));
    const text: string[] = [];
    let usage: unknown;
    for await (const event of stream.stream!) {
      if (event.contentBlockDelta?.delta?.text !== undefined) text.push(event.contentBlockDelta.delta.text);
      if (event.metadata !== undefined) usage = event.metadata.usage;
    }
    expect(text.join('')).toBe('hi from fake bedrock');
    expect(usage).toEqual({ inputTokens: 15, outputTokens: 4, totalTokens: 19 });
    expect(scripted.received.at(-1)!.signatureValid).toBe(true);
    const lines = await eventually(() => {
      const all = readLogLines(logPath).filter((l) => l.route?.name === 'converse');
      return all.length >= 2 ? all : undefined;
    }, 'the converse log lines');
    expect(lines.map((l) => [l.ai.proxy.meta.request_mode, l.ai.proxy.usage.prompt_tokens, l.ai.proxy.usage.completion_tokens])).toEqual([['oneshot', 11, 5], ['stream', 15, 4]]);
    expect(lines[1]!.ai.proxy.usage.time_to_first_token).toBeGreaterThanOrEqual(0);
  });
});
