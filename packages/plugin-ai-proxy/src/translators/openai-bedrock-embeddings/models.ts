/**
 * The Bedrock embeddings models gw maps OpenAI's embeddings to, by family: each has its own InvokeModel
 * body and answer (request.ts, response.ts). Cross-region profile ids (`us.cohere.embed-v4:0`) and
 * foundation-model ARNs name the same models; an application inference profile ARN names none gw can tell.
 */
export type EmbeddingFamily = 'titan-v2' | 'cohere-v3' | 'cohere-v4';

const PREFIX = /^(?:arn:[^/]+:foundation-model\/)?(?:(?:us|us-gov|eu|apac|au|ca|jp|global)\.)?/;

export function embeddingFamily(modelId: string): EmbeddingFamily | undefined {
  const id = modelId.replace(PREFIX, '');
  if (id.startsWith('amazon.titan-embed-text-v2')) return 'titan-v2';
  if (id.startsWith('cohere.embed-v4')) return 'cohere-v4';
  if (id.startsWith('cohere.embed-english-v3') || id.startsWith('cohere.embed-multilingual-v3')) return 'cohere-v3';
  return undefined;
}

/** For messages: the models this pair maps. */
export const EMBEDDING_MODELS = 'amazon.titan-embed-text-v2:0, cohere.embed-english-v3, cohere.embed-multilingual-v3, cohere.embed-v4:0 (or their cross-region profiles)';

/** Output sizes each family makes (Cohere v3: one). */
export const DIMENSIONS: Readonly<Record<EmbeddingFamily, readonly number[]>> = {
  'titan-v2': [256, 512, 1024],
  'cohere-v3': [1024],
  'cohere-v4': [256, 512, 1024, 1536],
};

/** Inputs per InvokeModel call, as AWS documents them: Titan embeds one text, Cohere up to 96. */
export const MAX_INPUTS: Readonly<Record<EmbeddingFamily, number>> = { 'titan-v2': 1, 'cohere-v3': 96, 'cohere-v4': 96 };

/** Cohere's `input_type`: what the texts are for (gw's default: documents, as an OpenAI client indexing a corpus). */
export const INPUT_TYPES: readonly string[] = ['search_document', 'search_query', 'classification', 'clustering'];
export const DEFAULT_INPUT_TYPE = 'search_document';
