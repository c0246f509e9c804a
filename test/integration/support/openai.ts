/** An OpenAI-format route to Bedrock Converse (examples/openai-bedrock's shape) for the OpenAI SDK. */
import { AWS_KEYS, MODEL } from './bedrock.js';

export { AWS_KEYS, MODEL };
export const INPUT_COST = 1;
export const OUTPUT_COST = 5;
export const CACHE_READ_COST = 0.1;
export const CACHE_WRITE_COST = 1.25;
/** The key an OpenAI client sends as its API key: key-auth's, never a provider's. */
export const CLIENT_KEY = 'gw-openai-client-key-must-never-be-logged';

/** ai-proxy (llm_format openai → bedrock) on /openai, key-auth on it, file-log globally; `extra` is more ai-proxy config (YAML lines). */
export function openaiBedrockConfig(logPath: string, extra = ''): string {
  return `_format_version: "3.0"
services:
  - name: openai
    url: http://127.0.0.1:9
    routes:
      - name: openai
        paths: [/openai]
consumers:
  - username: dev
    keyauth_credentials:
      - key: ${CLIENT_KEY}
plugins:
  - name: key-auth
    route: openai
    config:
      key_names: [authorization, apikey]
      hide_credentials: true
  - name: ai-proxy
    route: openai
    config:
      llm_format: openai
      route_type: llm/v1/chat
      logging:
        log_statistics: true
      auth:
        aws_access_key_id: "\${aws_access_key_id}"
        aws_secret_access_key: "\${aws_secret_access_key}"
      model:
        provider: bedrock
        name: ${MODEL}
        options:
          bedrock:
            aws_region: "\${aws_region}"
          input_cost: ${INPUT_COST}
          output_cost: ${OUTPUT_COST}
          cache_read_cost: ${CACHE_READ_COST}
          cache_write_cost: ${CACHE_WRITE_COST}
${extra}  - name: file-log
    config:
      path: ${logPath}
`;
}
