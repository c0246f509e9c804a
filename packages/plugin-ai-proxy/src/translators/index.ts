/**
 * The supported (client format, backend) pairs: one translator each. Config validation reads this list,
 * so a pair that is not here fails at `gw sync` naming the ones that are. Adding a pair is a folder under
 * translators/ and one line here (see translator.ts for the contract).
 */
import type { Translator } from './translator.js';
import type { ClientFormat } from '../formats/format.js';
import { anthropicToBedrock } from './anthropic-bedrock/index.js';
import { anthropicToAnthropic } from './anthropic-anthropic/index.js';
import { bedrockToBedrock } from './bedrock-bedrock/index.js';
import { openaiToBedrock } from './openai-bedrock/index.js';
import { openaiToOpenai } from './openai-openai/index.js';
import { openaiToAnthropic } from './openai-anthropic/index.js';
import { openaiToBedrockEmbeddings } from './openai-bedrock-embeddings/index.js';
import { openaiToOpenaiEmbeddings } from './openai-openai-embeddings/index.js';

export const TRANSLATORS: readonly Translator<any, any>[] = [anthropicToBedrock, anthropicToAnthropic, openaiToBedrock, openaiToOpenai, openaiToAnthropic, bedrockToBedrock, openaiToBedrockEmbeddings, openaiToOpenaiEmbeddings];

/** The translator for this `llm_format`, `model.provider` and `route_type`; undefined when gw has none. */
export function translatorFor(format: string, provider: string, routeType: string): Translator<any, any> | undefined {
  return TRANSLATORS.find((t) => t.format.name === format && t.backend.name === provider && t.routeTypes.includes(routeType));
}

/** `anthropic → bedrock`, … : the pairs as messages name them, each once (a pair may serve several route types). */
export function supportedPairs(): string[] {
  return [...new Set(TRANSLATORS.map((t) => `${t.format.name} → ${t.backend.name}`))];
}

/** The client format named by `llm_format`, when some pair speaks it. */
export function clientFormat(name: string): ClientFormat<any> | undefined {
  return TRANSLATORS.find((t) => t.format.name === name)?.format;
}
