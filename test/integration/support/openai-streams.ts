/** Reading an OpenAI SDK stream to its end or its failure, for tests of streams that fail. */
import type OpenAI from 'openai';

export async function drainChunks(stream: AsyncIterable<OpenAI.ChatCompletionChunk>): Promise<{ chunks: OpenAI.ChatCompletionChunk[]; error: unknown }> {
  const chunks: OpenAI.ChatCompletionChunk[] = [];
  try {
    for await (const chunk of stream) chunks.push(chunk);
    return { chunks, error: undefined };
  } catch (error) {
    return { chunks, error };
  }
}
