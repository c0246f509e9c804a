/**
 * Anthropic's SSE → Chat Completions chunks, each written the moment its event is complete. Text deltas,
 * most of a stream, are spliced: the text's JSON literal goes from Anthropic's event into the chunk without
 * being decoded. Tool calls are numbered among the answer's tool calls (Kong sends only text deltas: an
 * OpenAI client never sees a streamed tool call); thinking becomes `reasoning_content`; Anthropic's `ping`
 * is relayed as an SSE comment, which keeps client idle timers quiet and reaches no client code; so is each
 * `stream_ping_interval` of upstream silence.
 *
 * The answer ends at `message_stop`: only then does the client get the finish chunk, the usage chunk
 * (`stream_options.include_usage`) and `[DONE]`. Failures never look complete: an `error` event, or an
 * upstream that stops before `message_stop`, is an HTTP error when nothing was sent yet, else a
 * `data: {"error": …}` event (the OpenAI SDKs throw on it), no finish, no `[DONE]`, and a broken connection.
 */
import { GatewayError, type RequestContext, type ResponseHead } from '@gw/plugin-api';
import type { AiExchange } from '../../exchange.js';
import { aiErrorOf, type AiError } from '../../errors.js';
import { createUsageTracker } from '../../usage.js';
import { anthropicErrorOf } from '../../formats/anthropic/errors.js';
import { chunkWriter, type ChunkWriter } from '../../formats/openai/chunks.js';
import { chunkOutput } from '../../formats/openai/chunk-output.js';
import { DONE, KEEP_ALIVE } from '../../formats/openai/sse.js';
import { observe } from '../../phases/observations.js';
import { createKeepAlive } from '../../phases/keep-alive.js';
import { capturePayload } from '../../phases/http.js';
import { DELTA_ENVELOPE } from '../../stats/usage-estimate.js';
import { claudeUsage, finishReason } from './answer.js';

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

const TEXT_DELTA = '"delta":{"type":"text_delta","text":"';

function parse(latin1: string): Json | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(latin1, 'latin1').toString('utf8'));
    return isObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** A text delta's JSON string literal (quotes included), when the event has Anthropic's usual layout. */
function textLiteral(data: string): string | undefined {
  const at = data.indexOf(TEXT_DELTA);
  if (at < 0 || !data.endsWith('"}}')) return undefined;
  return data.slice(at + TEXT_DELTA.length - 1, -2);
}

export function anthropicSseToChunks(ctx: RequestContext, response: ResponseHead, exchange: AiExchange, includeUsage: boolean): Transformer<Uint8Array, Uint8Array> {
  const seen = observe(exchange, response.status);
  const usage = createUsageTracker();
  const created = Math.floor(Date.now() / 1000);
  let writer: ChunkWriter | undefined;
  /** Anthropic block index → the tool call's index among the answer's tool calls. */
  const toolCalls = new Map<number, number>();
  let stopReason: string | undefined;
  let partial = '';
  let event = 'message';
  let data: string[] = [];
  let complete = false;
  let failed: AiError | undefined;
  const output = chunkOutput(ctx, response, exchange);
  const { send, drain, end } = output;
  // Anthropic pings when it likes; an SSE comment per stream_ping_interval of silence covers the rest.
  const keepAlive = createKeepAlive(exchange.pingIntervalMs, KEEP_ALIVE, (bytes) => capturePayload(exchange, Buffer.from(bytes).toString('utf8')));
  const firstToken = () => {
    exchange.firstTokenAt ??= ctx.now();
  };
  const counted = (bytes: number) => {
    firstToken();
    seen.deltas++;
    seen.deltaBytes += bytes + DELTA_ENVELOPE;
  };

  const fail = (controller: TransformStreamDefaultController<Uint8Array>, error: AiError, upstreamType?: string) => {
    failed = error;
    keepAlive.stop();
    output.fail(controller, error, upstreamType);
  };

  const handle = (controller: TransformStreamDefaultController<Uint8Array>, type: string, json: string) => {
    switch (type) {
      case 'content_block_delta': {
        const literal = textLiteral(json);
        if (literal !== undefined && writer !== undefined) {
          counted(literal.length - 2);
          send(...writer.textLiteral(Buffer.from(literal, 'latin1')));
          return;
        }
        const delta = parse(json);
        const change = isObject(delta?.delta) ? delta.delta : undefined;
        if (writer === undefined || change === undefined) return fail(controller, unreadable('content_block_delta'));
        if (change.type === 'text_delta' && typeof change.text === 'string') {
          counted(Buffer.byteLength(change.text));
          send(writer.text(change.text));
        } else if (change.type === 'input_json_delta' && typeof change.partial_json === 'string') {
          const index = toolCalls.get(delta!.index as number);
          if (index === undefined) return fail(controller, unreadable('input_json_delta before its content_block_start'));
          counted(Buffer.byteLength(change.partial_json));
          send(writer.toolCallArguments(index, change.partial_json));
        } else if (change.type === 'thinking_delta' && typeof change.thinking === 'string') {
          counted(Buffer.byteLength(change.thinking));
          send(writer.reasoning(change.thinking));
        }
        // signature_delta, citations_delta: nothing an OpenAI client reads.
        return;
      }
      case 'message_start': {
        const message = parse(json)?.message;
        if (!isObject(message)) return fail(controller, unreadable('message_start'));
        if (typeof message.model === 'string') exchange.responseModel = message.model;
        exchange.responseId = typeof message.id === 'string' ? message.id : `chatcmpl-${ctx.id}`;
        const counts = claudeUsage(message.usage);
        usage.reported(counts);
        exchange.usage = usage.current();
        if (counts?.input !== undefined) seen.promptReported = true;
        writer = chunkWriter(exchange.responseId, created, exchange.responseModel ?? exchange.requestModel);
        send(writer.role());
        // The first chunk leaves with the head at once: time to first byte is what a user waits on.
        drain(controller);
        return;
      }
      case 'content_block_start': {
        const start = parse(json);
        const block = isObject(start?.content_block) ? start.content_block : undefined;
        if (block?.type !== 'tool_use' || writer === undefined) return;
        const index = toolCalls.size;
        toolCalls.set(start!.index as number, index);
        firstToken();
        send(writer.toolCallStart(index, String(block.id), String(block.name)));
        return;
      }
      case 'message_delta': {
        const delta = parse(json);
        const reason = isObject(delta?.delta) ? delta.delta.stop_reason : undefined;
        if (typeof reason === 'string') {
          stopReason = reason;
          exchange.finishReasons = [reason];
        }
        const counts = claudeUsage(delta?.usage);
        usage.reported(counts);
        exchange.usage = usage.current();
        if (counts?.output !== undefined) seen.finalOutputReported = true;
        return;
      }
      case 'message_stop':
        if (writer === undefined) return fail(controller, unreadable('message_stop before message_start'));
        send(writer.finish(finishReason(stopReason)));
        if (includeUsage) send(writer.usage(exchange.usage));
        send(DONE);
        complete = true;
        return;
      case 'ping':
        if (seen.eventsSent > 0) send(KEEP_ALIVE);
        return;
      case 'error': {
        const error = parse(json)?.error;
        const upstreamType = isObject(error) && typeof error.type === 'string' ? error.type : undefined;
        return fail(controller, anthropicErrorOf(error), upstreamType);
      }
      default:
        return; // content_block_stop, and events Anthropic may add
    }
  };
  const unreadable = (what: string): AiError => ({ status: 502, kind: 'server', message: `upstream sent an unreadable ${what} event` });

  const line = (controller: TransformStreamDefaultController<Uint8Array>, raw: string) => {
    const l = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (l === '') {
      if (data.length > 0) handle(controller, event, data.join('\n'));
      event = 'message';
      data = [];
    } else if (l.startsWith('event:')) event = l.slice(6).trim();
    else if (l.startsWith('data:')) data.push(l.slice(l.charCodeAt(5) === 0x20 ? 6 : 5));
  };
  return {
    transform(chunk, controller) {
      if (failed !== undefined || complete) return undefined;
      const lines = (partial + Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString('latin1')).split('\n');
      partial = lines.pop()!;
      for (const l of lines) {
        line(controller, l);
        if (failed !== undefined || complete) break;
      }
      if (failed !== undefined) return end(controller);
      drain(controller);
      if (complete) keepAlive.stop();
      else if (seen.eventsSent > 0) keepAlive.touch(controller);
      return undefined;
    },
    flush(controller) {
      keepAlive.stop();
      if (failed !== undefined) return undefined;
      seen.bodyEnded = true;
      exchange.lastTokenAt = ctx.now();
      if (!complete && partial !== '') {
        line(controller, partial);
        line(controller, '');
      }
      if (failed !== undefined) return end(controller);
      if (complete) {
        drain(controller);
        return undefined;
      }
      fail(controller, aiErrorOf(new GatewayError('GW_ERR_AI_STREAM_TRUNCATED')));
      return end(controller);
    },
  };
}
