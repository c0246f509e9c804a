/**
 * An OpenAI SSE stream relayed as it came: each upstream chunk goes on at once, and a line scanner beside
 * it reads what the log needs without parsing the deltas. Only three kinds of line are parsed: the first
 * chunk (id, model), a chunk whose usage is an object (the last one), and an error event; a finish reason
 * is picked out of its line by pattern. When gw itself asked for the usage (plan.stripUsage), the usage
 * chunk is taken out: then lines are relayed whole, as each completes.
 *
 * A stream that fails is never left looking whole: an `error` event is relayed and the connection broken
 * after it; an upstream that ends before `[DONE]` gets gw's error event and the same break (some clients
 * take a clean end for a whole answer).
 */
import { GatewayError, type RequestContext, type ResponseHead } from '@gw/plugin-api';
import type { AiExchange } from '../../exchange.js';
import { aiErrorOf, kindForStatus, type AiError } from '../../errors.js';
import { createUsageTracker } from '../../usage.js';
import { openaiUsageCounts } from '../../backends/openai/usage.js';
import { parseOpenAiError } from '../../backends/openai/errors.js';
import { openaiErrorEvent } from '../../formats/openai/errors.js';
import { KEEP_ALIVE } from '../../formats/openai/sse.js';
import { capturePayload } from '../../phases/http.js';
import { observe } from '../../phases/observations.js';
import { createKeepAlive } from '../../phases/keep-alive.js';
import { DELTA_ENVELOPE } from '../../stats/usage-estimate.js';

const DATA = 'data:';
const EVENT_END = Buffer.from('\n', 'latin1');
const FINISH = /"finish_reason":"([A-Za-z_]+)"/g;
/** A delta with something in it: text, a tool call, reasoning (the first chunk's `"content":""` is not). */
const CONTENT = /"(?:content|reasoning_content|reasoning|refusal)":"[^"]|"tool_calls":\[/;

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

function parseLine(json: string): Json | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(json, 'latin1').toString('utf8'));
    return isObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** An in-stream error has no HTTP status: its type says what kind of failure it was. */
function streamErrorStatus(error: Json): number {
  const type = typeof error.type === 'string' ? error.type : '';
  if (typeof error.status === 'number') return error.status;
  if (type === 'invalid_request_error') return 400;
  if (/rate_limit|requests|tokens/.test(type) || error.code === 'rate_limit_exceeded') return 429;
  return 500;
}

export function openaiSsePassthrough(ctx: RequestContext, response: ResponseHead, exchange: AiExchange, stripUsage: boolean): Transformer<Uint8Array, Uint8Array> {
  const seen = observe(exchange, response.status);
  const usage = createUsageTracker();
  if (stripUsage) delete response.headers['content-length'];
  let partial = '';
  let first = true;
  let sawDone = false;
  let failed: AiError | undefined;
  /** With stripUsage: the lines kept from this chunk. */
  let kept: string[] = [];
  /** The event being read is the usage chunk (dropped with the blank line that ends it). */
  let dropping = false;
  /** An error event's data line was read and its closing blank line not yet: the client must get it whole. */
  let errorOpen = false;
  const keepAlive = createKeepAlive(exchange.pingIntervalMs, KEEP_ALIVE, (bytes) => capturePayload(exchange, Buffer.from(bytes).toString('utf8')));

  const dataLine = (json: string): boolean => {
    seen.eventsSent++;
    if (json === '[DONE]') {
      sawDone = true;
      return true;
    }
    if (first || json.includes('"usage":{') || json.startsWith('{"error"')) {
      const event = parseLine(json);
      if (event === undefined) return true;
      if (isObject(event.error)) {
        const { message, detail } = parseOpenAiError(JSON.stringify(event));
        const status = streamErrorStatus(event.error);
        failed = { status, kind: kindForStatus(status), message };
        exchange.error = failed;
        errorOpen = true;
        seen.upstreamErrorType = detail.code ?? detail.type;
        return true;
      }
      if (first) {
        first = false;
        if (typeof event.id === 'string') exchange.responseId = event.id;
        if (typeof event.model === 'string') exchange.responseModel = event.model;
      }
      const counts = openaiUsageCounts(event.usage);
      if (counts !== undefined) {
        usage.reported(counts);
        exchange.usage = usage.current();
        seen.promptReported ||= counts.input !== undefined;
        seen.finalOutputReported ||= counts.output !== undefined;
        if (stripUsage && Array.isArray(event.choices) && event.choices.length === 0) return false;
      }
    }
    if (CONTENT.test(json)) {
      exchange.firstTokenAt ??= ctx.now();
      seen.deltas++;
      const start = json.indexOf('"delta":');
      const end = start < 0 ? -1 : json.indexOf(',"logprobs"', start);
      seen.deltaBytes += DELTA_ENVELOPE + Math.max(0, (end < 0 ? json.length : end) - start - 22);
    }
    if (json.includes('"finish_reason":"')) {
      const reasons = [...json.matchAll(FINISH)].map((m) => m[1]!);
      if (reasons.length > 0) exchange.finishReasons = [...(exchange.finishReasons ?? []), ...reasons];
    }
    return true;
  };

  const line = (raw: string) => {
    const l = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    let keep = !dropping;
    if (l === '') {
      dropping = false;
      errorOpen = false;
    }
    else if (l.startsWith(DATA)) {
      keep = dataLine(l.slice(l.charCodeAt(5) === 0x20 ? 6 : 5));
      dropping = !keep;
    }
    if (stripUsage && keep) kept.push(raw);
  };

  const scan = (text: string) => {
    const lines = (partial + text).split('\n');
    partial = lines.pop()!;
    for (const l of lines) line(l);
  };

  /** Relay gw's error event and break the connection a turn later (an error at once would drop the event). */
  const breakOff = (controller: TransformStreamDefaultController<Uint8Array>, error: AiError, bytes?: Uint8Array) => {
    keepAlive.stop();
    if (bytes !== undefined) {
      controller.enqueue(bytes);
      capturePayload(exchange, Buffer.from(bytes).toString('utf8'));
    }
    const reason = new GatewayError('GW_ERR_AI_STREAM_TRUNCATED', { message: error.message, status: error.status });
    return new Promise<void>((_, reject) => setImmediate(reject, reason));
  };

  return {
    transform(chunk, controller) {
      const text = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString('latin1');
      scan(text);
      if (stripUsage) {
        if (kept.length > 0) {
          const out = Buffer.from(`${kept.join('\n')}\n`, 'latin1');
          kept = [];
          controller.enqueue(out);
          if (exchange.logPayloads) capturePayload(exchange, out.toString('utf8'));
        }
      } else {
        controller.enqueue(chunk);
        if (exchange.logPayloads) capturePayload(exchange, Buffer.from(chunk).toString('utf8'));
      }
      if (failed !== undefined) {
        seen.bodyEnded = true;
        exchange.lastTokenAt = ctx.now();
        // The break comes before the upstream's blank line would: end the event, or SSE parsers drop it.
        return breakOff(controller, failed, errorOpen ? EVENT_END : undefined);
      }
      if (sawDone) keepAlive.stop();
      else keepAlive.touch(controller);
      return undefined;
    },
    flush(controller) {
      keepAlive.stop();
      seen.bodyEnded = true;
      exchange.lastTokenAt = ctx.now();
      if (partial !== '') {
        const rest = partial;
        partial = '';
        line(rest);
        if (stripUsage && kept.length > 0) controller.enqueue(Buffer.from(kept.join('\n'), 'latin1'));
        kept = [];
      }
      if (failed !== undefined || sawDone) return undefined;
      const error = aiErrorOf(new GatewayError('GW_ERR_AI_STREAM_TRUNCATED'));
      exchange.error = error;
      return breakOff(controller, error, openaiErrorEvent(error));
    },
  };
}
