/** Helpers for the Bedrock-native pair's tests: its exchange, and a transform's output as bytes. */
import type { AiExchange } from '../../../src/exchange.js';
import { bedrockFormat } from '../../../src/formats/bedrock/index.js';
import { translatorFor } from '../../../src/translators/index.js';
import { makeExchange } from '../../support/response-harness.js';

export function nativeExchange(overrides: Partial<AiExchange> = {}): AiExchange {
  return makeExchange({
    translator: translatorFor('bedrock', 'bedrock', 'llm/v1/chat')!,
    format: bedrockFormat,
    clientModel: 'us.anthropic.claude-haiku-4-5-20251001-v1:0',
    ...overrides,
  });
}

/** Writes `chunks` through the transform; everything it produced as bytes, and whether it terminated early. */
export async function runBytes(transform: Transformer<Uint8Array, Uint8Array>, chunks: Uint8Array[]): Promise<{ bytes: Buffer; terminated: boolean }> {
  const stream = new TransformStream(transform);
  const writer = stream.writable.getWriter();
  const parts: Uint8Array[] = [];
  const reading = (async () => {
    const reader = stream.readable.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      parts.push(value);
    }
  })();
  let terminated = false;
  try {
    for (const chunk of chunks) await writer.write(chunk);
    await writer.close();
  } catch {
    terminated = true;
  }
  await reading;
  return { bytes: Buffer.concat(parts), terminated };
}
