/**
 * The attribute names gw's spans carry. GenAI: the OpenTelemetry GenAI semantic conventions (gen_ai.*;
 * `gen_ai.system` is the name before `gen_ai.provider.name`, kept for backends that still read it). HTTP:
 * the current HTTP conventions beside the names Kong's spans use (http.method, http.status_code, net.peer.*),
 * so queries written for Kong's traces keep working.
 */
export const GEN_AI = {
  operation: 'gen_ai.operation.name',
  provider: 'gen_ai.provider.name',
  system: 'gen_ai.system',
  requestModel: 'gen_ai.request.model',
  requestStream: 'gen_ai.request.stream',
  responseModel: 'gen_ai.response.model',
  responseId: 'gen_ai.response.id',
  finishReasons: 'gen_ai.response.finish_reasons',
  timeToFirstChunk: 'gen_ai.response.time_to_first_chunk',
  inputTokens: 'gen_ai.usage.input_tokens',
  outputTokens: 'gen_ai.usage.output_tokens',
  cacheReadTokens: 'gen_ai.usage.cache_read.input_tokens',
  cacheCreationTokens: 'gen_ai.usage.cache_creation.input_tokens',
  inputMessages: 'gen_ai.input.messages',
  outputMessages: 'gen_ai.output.messages',
  systemInstructions: 'gen_ai.system_instructions',
} as const;

/** gw's provider names (ai-proxy's model.provider) → the conventions' gen_ai.provider.name values. */
export const PROVIDER_NAMES: Readonly<Record<string, string>> = {
  bedrock: 'aws.bedrock',
  anthropic: 'anthropic',
  openai: 'openai',
  azure: 'azure.ai.openai',
  gemini: 'gcp.gemini',
  vertex: 'gcp.vertex_ai',
  mistral: 'mistral_ai',
  cohere: 'cohere',
  deepseek: 'deepseek',
  groq: 'groq',
};

/** Kong route types → gen_ai.operation.name. */
export const OPERATIONS: Readonly<Record<string, string>> = {
  'llm/v1/chat': 'chat',
  'llm/v1/completions': 'text_completion',
  'llm/v1/embeddings': 'embeddings',
};
