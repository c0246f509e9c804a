/**
 * The Bedrock-native client format (`llm_format: bedrock`): the AWS SDKs and Claude Code in Bedrock mode
 * call Bedrock Runtime's own operations on gw. The path names the model and the operation; the body is the
 * model's own; errors are Bedrock's (errors.ts).
 */
import type { ConfigIssue } from '@gw/plugin-api';
import type { AiProxyConfig } from '../../config/types.js';
import type { ClientFormat } from '../format.js';
import type { NativeBody } from './body.js';
import { bedrockErrorBody, bedrockErrorStatus, bedrockErrorType } from './errors.js';
import { classifyRoute } from './route.js';

/** Bedrock's ids for Claude: foundation models, inference profiles (`us.anthropic.claude-…`) and ARNs naming either. */
const CLAUDE_ON_BEDROCK = '*anthropic.claude-*';

/** About four bytes per token, as the Anthropic format's local estimate: here over the whole body. */
const BYTES_PER_TOKEN = 4;

/** Options Kong's native adapter leaves alone: the body is the model's own format and goes on as sent. */
const BODY_OPTIONS = ['max_tokens', 'temperature', 'top_p', 'top_k', 'anthropic_version'] as const;

function validate(config: AiProxyConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const options = config.model.options ?? {};
  for (const name of BODY_OPTIONS) {
    if (options[name] === undefined || options[name] === null) continue;
    issues.push({
      path: `model.options.${name}`,
      severity: 'warning',
      message: "is not applied with llm_format 'bedrock': the body is the model's own format and goes to Bedrock as the client wrote it (as in Kong)",
    });
  }
  if (config.response_streaming === 'always') {
    issues.push({
      path: 'response_streaming',
      severity: 'warning',
      message: "'always' has no effect with llm_format 'bedrock': the operation in the path (invoke-with-response-stream, converse-stream) decides; 'deny' refuses those",
    });
  }
  return issues;
}

export const bedrockFormat: ClientFormat<NativeBody> = {
  name: 'bedrock',
  errorFormat: 'bedrock',
  classifyRoute,
  estimateInputTokens: (body) => Math.ceil(body.bytes.byteLength / BYTES_PER_TOKEN),
  errorStatus: bedrockErrorStatus,
  errorType: bedrockErrorType,
  errorBody: bedrockErrorBody,
  modeFromRequest: true,
  // Claude Code in Bedrock mode probes and side-calls other Claude ids (us.anthropic.claude-sonnet-…,
  // …-opus-…): on a route for a Claude model they reach it, as first-party ids do on an Anthropic route.
  // Another model family's body would not fit the configured model: no default alias then.
  defaultAliases: (modelName): Record<string, string> =>
    modelName !== undefined && /(?:^|[./])anthropic\.claude-/.test(modelName) ? { [CLAUDE_ON_BEDROCK]: modelName } : {},
  validate,
};
