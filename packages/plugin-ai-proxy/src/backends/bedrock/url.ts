import { parseEndpoint, type Endpoint } from '../endpoint.js';

/** Bedrock Runtime URLs (docs/reference/bedrock.md#endpoints-and-model-ids). */

/** One path segment for a model id: `:` → %3A and an ARN's `/` → %2F (the id must stay one segment). */
export function encodeModelId(modelId: string): string {
  return encodeURIComponent(modelId);
}

export type BedrockOperation = 'invoke' | 'invoke-with-response-stream' | 'count-tokens' | 'converse' | 'converse-stream';

/** The operations whose answer is an event stream. */
export const STREAMING_OPERATIONS: ReadonlySet<BedrockOperation> = new Set(['invoke-with-response-stream', 'converse-stream']);

export function modelPath(prefix: string, modelId: string, operation: BedrockOperation): string {
  return `${prefix}/model/${encodeModelId(modelId)}/${operation}`;
}

/** Geo prefixes of cross-region inference profile ids (`us.anthropic.…`, `global.anthropic.…`). */
const GEO_PREFIX = /^(?:us|us-gov|eu|apac|au|ca|jp|global)\.(?=anthropic\.)/;

/** CountTokens takes the foundation model id: strip a geo prefix; ARNs and plain ids stay as they are. */
export function countTokensModelId(modelId: string): string {
  return modelId.startsWith('arn:') ? modelId : modelId.replace(GEO_PREFIX, '');
}

/**
 * The endpoint: `model.options.upstream_url`, else env AWS_ENDPOINT_URL_BEDROCK_RUNTIME, else
 * AWS_ENDPOINT_URL, else https://bedrock-runtime.{region}.amazonaws.com. The URL's path is a prefix for
 * /model/{id}/{operation}; a Kong-style full URL ending in /model/{id}/{op} keeps only what precedes it,
 * because one fixed path cannot serve invoke, invoke-with-response-stream, converse[-stream] and count-tokens.
 */
export function resolveEndpoint(upstreamUrl: string | undefined, region: string, env: NodeJS.ProcessEnv): Endpoint {
  const configured = upstreamUrl ?? nonEmpty(env.AWS_ENDPOINT_URL_BEDROCK_RUNTIME) ?? nonEmpty(env.AWS_ENDPOINT_URL);
  const endpoint = parseEndpoint(configured ?? `https://bedrock-runtime.${region}.amazonaws.com`);
  return { ...endpoint, prefix: endpoint.prefix.replace(/\/model\/[^/]+\/[^/]+$/, '') };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
