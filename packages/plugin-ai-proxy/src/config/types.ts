/** The ai-proxy `config` after schema defaults are filled in (see schema/config.schema.json). */

export type ResponseStreaming = 'allow' | 'deny' | 'always';

export interface AuthConfig {
  header_name?: string;
  header_value?: string;
  param_name?: string;
  param_value?: string;
  param_location?: 'query' | 'body';
  aws_access_key_id?: string;
  aws_secret_access_key?: string;
  allow_override?: boolean;
  [field: string]: unknown;
}

export interface BedrockOptions {
  aws_region?: string;
  /** Sign Bedrock calls with credentials from STS AssumeRole on this role (Kong's field). */
  aws_assume_role_arn?: string;
  aws_role_session_name?: string;
  aws_sts_endpoint_url?: string;
  /** gw extension: which Bedrock id a catalogue model maps to (backends/bedrock/models.ts). */
  inference_profile?: 'geography' | 'global' | 'geography_then_global' | 'none';
  /** Titan Text Embeddings v2's `normalize` (Kong's field). */
  embeddings_normalize?: boolean;
  /** gw extension: Cohere Embed's `input_type` when the request sets none. */
  embeddings_input_type?: string;
  [field: string]: unknown;
}

export interface ModelOptions {
  max_tokens?: number;
  temperature?: number;
  top_p?: number;
  top_k?: number;
  input_cost?: number;
  output_cost?: number;
  cache_read_cost?: number;
  cache_write_cost?: number;
  anthropic_version?: string;
  upstream_url?: string;
  upstream_path?: string;
  /** Embeddings route types: the dimensions asked for when the request sets none. */
  embeddings_dimensions?: number;
  bedrock?: BedrockOptions;
  [field: string]: unknown;
}

export interface ModelConfig {
  provider: string;
  name?: string;
  options?: ModelOptions;
  model_alias?: string;
}

export interface AiProxyConfig {
  route_type: string;
  llm_format: string;
  response_streaming: ResponseStreaming;
  max_request_body_size: number;
  model_name_header: boolean;
  logging: { log_statistics: boolean; log_payloads: boolean };
  auth?: AuthConfig;
  model: ModelConfig;
  genai_category?: string;
  /** gw extension: client model id or glob → upstream model id, `reject`, or `catalogue`. */
  model_aliases?: Record<string, string>;
  /** gw: seconds of upstream silence before a `ping` event on a Bedrock stream; 0 = never. */
  stream_ping_interval?: number;
}
