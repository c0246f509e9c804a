/** Test helpers: a fake RequestContext clock, exchanges, fixtures, and running a transform over chunks. */
import type { RequestContext, ResponseHead } from '@gw/plugin-api';
import type { AiExchange } from '../../src/exchange.js';
import { emptyUsage } from '../../src/usage.js';
import { anthropicFormat } from '../../src/formats/anthropic/index.js';
import { translatorFor } from '../../src/translators/index.js';
import { FIXTURES, fixtureBytes, fixtureJson as repoFixtureJson } from '../../../../test/fixtures.js';

/** Captures shared across packages (test/fixtures/ at the repository root), and this package's own. */
export { FIXTURES };
export const LOCAL_FIXTURES = new URL('../fixtures/', import.meta.url);

export function fixture(path: string): Uint8Array {
  return fixtureBytes(path);
}

export function fixtureJson<T = any>(path: string): T {
  return repoFixtureJson<T>(path);
}

/** A context whose clock advances by 1 ms per reading, so ordering of timestamps is checkable. */
export function fakeCtx(start = 1000): RequestContext & { clock: () => number } {
  let t = start;
  return { now: () => ++t, clock: () => t } as unknown as RequestContext & { clock: () => number };
}

export function makeExchange(overrides: Partial<AiExchange> = {}): AiExchange {
  // The Anthropic-format pair of the provider asked for (Bedrock by default).
  const provider = overrides.provider ?? 'bedrock';
  const translator = translatorFor('anthropic', provider, 'llm/v1/chat')!;
  return {
    translator,
    format: anthropicFormat,
    provider,
    kind: 'chat',
    mode: 'stream',
    requestModel: 'us.anthropic.claude-haiku-4-5-20251001-v1:0',
    clientModel: 'claude-haiku-4-5',
    pluginId: 'plugin-1',
    logStatistics: true,
    logPayloads: false,
    pingIntervalMs: 0,
    pricing: undefined,
    requestPayload: undefined,
    localTokenEstimate: undefined,
    upstreamSentAt: 1000,
    firstTokenAt: undefined,
    lastTokenAt: undefined,
    usage: emptyUsage(),
    responseModel: undefined,
    responseId: undefined,
    finishReasons: undefined,
    responsePayload: undefined,
    error: undefined,
    observations: undefined,
    ...overrides,
  };
}

export function head(status: number, headers: Record<string, string> = {}): ResponseHead {
  return { status, headers: { ...headers }, source: 'upstream' };
}

/**
 * Writes `chunks` through the transform (as a TransformStream) and returns everything it produced, as
 * text. A transform that terminates ends the output; the chunks after that are not written (gw stops
 * reading the upstream then), and `terminated` tells the caller it happened. A transform that fails the
 * body (`controller.error`: gw breaks the client connection) returns what it produced before, and `errored`
 * holds the reason.
 */
export async function run(
  transform: TransformStream<Uint8Array, Uint8Array> | Transformer<Uint8Array, Uint8Array>,
  chunks: Uint8Array[],
  seen: { terminated?: boolean; errored?: unknown } = {},
): Promise<string> {
  const stream = transform instanceof TransformStream ? transform : new TransformStream(transform);
  const writer = stream.writable.getWriter();
  let ended = false;
  const parts: Uint8Array[] = [];
  const reading = (async () => {
    const reader = stream.readable.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) {
          ended = true;
          return Buffer.concat(parts).toString('utf8');
        }
        parts.push(value);
      }
    } catch (error) {
      seen.errored = error;
      ended = true;
      return Buffer.concat(parts).toString('utf8');
    }
  })();
  try {
    for (const chunk of chunks) await writer.write(chunk);
    await writer.close();
  } catch (error) {
    // A terminated transform closes its output and refuses more input; anything else is a failure.
    await reading;
    if (!ended) throw error;
    if (seen.errored === undefined) seen.terminated = true;
  }
  return reading;
}

export interface SseEvent {
  event: string;
  data: any;
}

/** Strict SSE parse: every event is `event: x\ndata: <json>\n\n`. */
export function parseSse(text: string): SseEvent[] {
  if (text === '') return [];
  if (!text.endsWith('\n\n')) throw new Error(`SSE text does not end with a blank line: ${JSON.stringify(text.slice(-40))}`);
  return text.slice(0, -2).split('\n\n').map((block) => {
    const m = /^event: ([^\n]+)\ndata: ([^\n]*)$/.exec(block);
    if (m === null) throw new Error(`bad SSE block: ${JSON.stringify(block)}`);
    return { event: m[1]!, data: JSON.parse(m[2]!) };
  });
}

/** Splits `bytes` at the given offsets. */
export function splitAt(bytes: Uint8Array, offsets: number[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  let from = 0;
  for (const at of [...offsets, bytes.byteLength]) {
    out.push(bytes.subarray(from, at));
    from = at;
  }
  return out;
}

/** Deterministic PRNG (mulberry32) for reproducible random splits. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomSplits(bytes: Uint8Array, random: () => number, pieces: number): Uint8Array[] {
  const offsets = new Set<number>();
  while (offsets.size < Math.min(pieces, bytes.byteLength - 1)) offsets.add(1 + Math.floor(random() * (bytes.byteLength - 1)));
  return splitAt(bytes, [...offsets].sort((a, b) => a - b));
}

/** The exchange's error as its client saw it (status, type and message in the client's format), or undefined. */
export function shown(exchange: AiExchange): { status: number; type: string; message: string } | undefined {
  const error = exchange.error;
  return error === undefined ? undefined : { status: exchange.format.errorStatus(error), type: exchange.format.errorType(error), message: error.message };
}
