/**
 * Upstreams that break the protocol mid-response, through the real gateway: a Bedrock stream with a
 * corrupt or impossibly large eventstream frame that then stays open; an Anthropic stream that stays
 * open after its `error` event; count_tokens and error bodies that never end. The client must get its
 * answer and the end of its response at once, and gw must drop the upstream connection (never return it
 * to the pool mid-body) instead of waiting for read_timeout.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { encodeChunk } from '@gw/bedrock-emulator';
import { eventually, readLogLines, setEnv, startGateway, tempDir, type RunningGateway } from './support/gateway.js';
import { MODEL, bedrockConfig, deckEnv } from './support/bedrock.js';
import { chunk, startRawUpstream, within, type RawUpstream } from './support/raw-upstream.js';

const EVENTSTREAM_HEAD =
  'HTTP/1.1 200 OK\r\ncontent-type: application/vnd.amazon.eventstream\r\ntransfer-encoding: chunked\r\n' +
  'x-amzn-requestid: 7f1c2a4e-0000-4000-8000-00000000b0b0\r\n\r\n';

const start = {
  type: 'message_start',
  message: { id: 'msg_raw', type: 'message', role: 'assistant', model: 'claude-haiku-4-5-20251001', content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 12, output_tokens: 1 } },
};
const blockStart = { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } };
const delta = (text: string) => ({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } });

/** A valid chunk frame with one payload byte changed: its message CRC no longer matches. */
function corruptFrame(): Buffer {
  const frame = Buffer.from(encodeChunk(delta('lost')));
  frame[frame.length - 10] ^= 0xff;
  return frame;
}

/** A prelude announcing a 64 MiB frame, with a correct prelude CRC: a length no Bedrock frame has. */
function oversizedPrelude(): Buffer {
  const prelude = Buffer.alloc(12);
  prelude.writeUInt32BE(64 * 1024 * 1024, 0);
  prelude.writeUInt32BE(0, 4);
  prelude.writeUInt32BE(crc32(prelude.subarray(0, 8)), 8);
  return Buffer.concat([prelude, Buffer.alloc(100, 0x61)]);
}

const BAD: Record<string, () => Buffer> = { corrupt: corruptFrame, oversized: oversizedPrelude };

describe('a broken eventstream ends the response and drops the upstream connection (real gateway)', () => {
  let upstream: RawUpstream;
  let gw: RunningGateway;
  let logPath: string;
  let restoreEnv: () => void;

  beforeAll(async () => {
    upstream = await startRawUpstream((socket, request) => {
      const bad = /\[bad:(\w+)\]/.exec(request.body.toString())?.[1] ?? 'corrupt';
      socket.write(EVENTSTREAM_HEAD);
      socket.write(chunk(Buffer.concat([encodeChunk(start), encodeChunk(blockStart), encodeChunk(delta('Hello'))].map((b) => Buffer.from(b)))));
      // The broken frame, then nothing: no more frames, no end of the chunked body, the socket stays open.
      setTimeout(() => socket.write(chunk(BAD[bad]!())), 20);
    });
    restoreEnv = setEnv({ AWS_ENDPOINT_URL_BEDROCK_RUNTIME: upstream.url });
    const dir = tempDir();
    logPath = join(dir, 'log.json');
    gw = await startGateway(bedrockConfig(logPath), { dir, env: deckEnv });
  });
  afterAll(async () => {
    await gw?.close();
    restoreEnv?.();
    await upstream?.close();
  });

  it.each(Object.keys(BAD))('%s frame: the error event, the end of the response, the upstream socket closed', async (bad) => {
    const before = upstream.connections.length;
    const response = await fetch(`${gw.url}/anything/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': 'sk-ant-test', 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({ model: MODEL, max_tokens: 64, stream: true, messages: [{ role: 'user', content: `hi [bad:${bad}]` }] }),
    });
    expect(response.status).toBe(200);
    // read_timeout is 60 s: a response still open after 5 s is the hang this guards against.
    const text = await within(response.text(), 5_000, 'the client response');
    expect(text).toContain('event: content_block_delta');
    expect(text).toMatch(/event: error\ndata: \{"type":"error","error":\{"type":"api_error","message":"upstream stream is corrupt: [^"]+"\}\}\n\n$/);

    const connection = upstream.connections[before];
    expect(connection, 'the request reached the raw upstream on a new connection').toBeDefined();
    await within(connection!.closed, 5_000, 'the upstream connection closing');

    const line = await eventually(() => readLogLines(logPath).find((l) => l.request.id === response.headers.get('x-kong-request-id')), 'the log line');
    expect(line.ai.proxy.error).toMatchObject({ status: 502, type: 'api_error', events_sent: 3 });
  });
});

/** An endless chunked body: 16 KiB chunks every 5 ms until the socket closes. */
function endless(socket: import('node:net').Socket, head: string): void {
  socket.write(head);
  const filler = chunk(Buffer.alloc(16 * 1024, 0x20));
  const timer = setInterval(() => (socket.destroyed ? clearInterval(timer) : socket.write(filler)), 5);
  socket.once('close', () => clearInterval(timer));
}

const ANTHROPIC_HEAD = 'HTTP/1.1 200 OK\r\ncontent-type: text/event-stream; charset=utf-8\r\ntransfer-encoding: chunked\r\nrequest-id: req_raw_0001\r\n\r\n';

describe('failure paths that must not wait for the upstream to end (real gateway)', () => {
  let upstream: RawUpstream;
  let gw: RunningGateway;
  let restoreEnv: () => void;

  beforeAll(async () => {
    upstream = await startRawUpstream((socket, request) => {
      const path = request.head.split(' ')[1] ?? '';
      if (path.endsWith('/count-tokens')) {
        // A 200 whose body is not the few bytes of {"inputTokens": n} but goes on and on.
        endless(socket, 'HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n');
      } else if (path.includes('/model/')) {
        endless(socket, 'HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\nx-amzn-errortype: ValidationException\r\ntransfer-encoding: chunked\r\n\r\n');
      } else {
        socket.write(ANTHROPIC_HEAD);
        socket.write(chunk(`event: message_start\ndata: ${JSON.stringify(start)}\n\n`));
        socket.write(chunk('event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}\n\n'));
      }
    });
    restoreEnv = setEnv({ AWS_ENDPOINT_URL_BEDROCK_RUNTIME: upstream.url });
    const dir = tempDir();
    const yaml = bedrockConfig(join(dir, 'log.json')).replace(
      'plugins:\n',
      `  - name: anthropic
    url: http://127.0.0.1:9
    routes:
      - name: anthropic
        paths: [/direct]
        plugins:
          - name: ai-proxy
            config:
              llm_format: anthropic
              route_type: llm/v1/chat
              auth: { header_name: x-api-key, header_value: sk-ant-configured }
              model: { provider: anthropic, name: claude-haiku-4-5, options: { anthropic_version: "2023-06-01", upstream_url: "${upstream.url}" } }
plugins:
`,
    );
    gw = await startGateway(yaml, { dir, env: deckEnv });
  });
  afterAll(async () => {
    await gw?.close();
    restoreEnv?.();
    await upstream?.close();
  });

  const ask = (path: string, body: Record<string, unknown>) =>
    fetch(`${gw.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': 'sk-ant-test', 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({ model: MODEL, max_tokens: 64, messages: [{ role: 'user', content: 'count me' }], ...body }),
    });

  async function closesUpstream(before: number) {
    const connection = upstream.connections[before];
    expect(connection, 'the request reached the raw upstream on a new connection').toBeDefined();
    await within(connection!.closed, 5_000, 'the upstream connection closing');
  }

  it('count_tokens: an endless 200 body gets the local estimate at once', async () => {
    const before = upstream.connections.length;
    const response = await ask('/anything/v1/messages/count_tokens', {});
    const text = await within(response.text(), 5_000, 'the client response');
    expect(response.status).toBe(200);
    expect(JSON.parse(text)).toEqual({ input_tokens: expect.any(Number) });
    await closesUpstream(before);
  });

  it('a Bedrock error with an endless body gets the mapped error at once', async () => {
    const before = upstream.connections.length;
    const response = await ask('/anything/v1/messages', {});
    const text = await within(response.text(), 5_000, 'the client response');
    expect(response.status).toBe(400);
    expect(JSON.parse(text)).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
    await closesUpstream(before);
  });

  it('an Anthropic stream that stays open after its error event ends with it', async () => {
    const before = upstream.connections.length;
    const response = await ask('/direct/v1/messages', { model: 'claude-haiku-4-5', stream: true });
    expect(response.status).toBe(200);
    const text = await within(response.text(), 5_000, 'the client response');
    expect(text.endsWith('event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}\n\n')).toBe(true);
    await closesUpstream(before);
  });
});
