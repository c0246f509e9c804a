// Which embeddings model a model id names: the request body and answer shapes differ per family.

export type EmbeddingFamily = 'titan-v2' | 'cohere-v3' | 'cohere-v4';

/** Cross-region profiles (`us.cohere.embed-v4:0`) and foundation-model ARNs name the same models. */
const PREFIX = /^(?:arn:[^/]+\/)?(?:(?:us|us-gov|eu|apac|au|ca|jp|global)\.)?/;

export function embeddingFamily(modelId: string): EmbeddingFamily | undefined {
  const id = modelId.replace(PREFIX, '');
  if (id.startsWith('amazon.titan-embed-text-v2')) return 'titan-v2';
  if (id.startsWith('cohere.embed-v4')) return 'cohere-v4';
  if (id.startsWith('cohere.embed-english-v3') || id.startsWith('cohere.embed-multilingual-v3')) return 'cohere-v3';
  return undefined;
}

/** Output sizes: Titan v2 and Cohere v4 take a choice, Cohere v3 has one. */
export const TITAN_DIMENSIONS = [256, 512, 1024] as const;
export const COHERE_V4_DIMENSIONS = [256, 512, 1024, 1536] as const;
export const COHERE_V3_DIMENSIONS = 1024;
