import type { ConfigIssue } from '@gw/plugin-api';
import type { AiProxyConfig } from './types.js';
import { configSchema } from './schema.js';

/** Providers and client formats gw implements today; the schema accepts all of Kong's. */
export const SUPPORTED_PROVIDERS: readonly string[] = ['bedrock', 'anthropic'];
export const SUPPORTED_FORMATS: readonly string[] = ['anthropic'];
export const SUPPORTED_ROUTE_TYPES: readonly string[] = ['llm/v1/chat'];

const isSet = (value: unknown): boolean => value !== undefined && value !== null && value !== '';

/** Kong's entity checks for ai-proxy (messages as in Kong's config spec), then what gw does not support yet. */
export function validate(config: AiProxyConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const auth = config.auth ?? {};
  const provider = config.model?.provider;
  const format = config.llm_format ?? 'openai';

  allOrNone(issues, auth, ['header_name', 'header_value']);
  allOrNone(issues, auth, ['param_name', 'param_value', 'param_location']);

  if ((provider === 'bedrock' || provider === 'gemini') && auth.allow_override === true) {
    issues.push({ path: 'auth.allow_override', message: 'bedrock and gemini only support auth.allow_override = false' });
  }
  if (provider === 'bedrock' && (isSet(auth.header_name) || isSet(auth.param_name))) {
    // Requests would be signed with the AWS keys anyway; a configured API key would be silently unused.
    issues.push({ path: isSet(auth.header_name) ? 'auth.header_name' : 'auth.param_name', message: 'bedrock authenticates with AWS SigV4 (auth.aws_access_key_id / aws_secret_access_key or the AWS_* environment); header and param auth are not supported yet by gw' });
  }
  if (provider === 'anthropic' && !isSet(config.model.options?.anthropic_version)) {
    issues.push({ path: 'model.options.anthropic_version', message: "must set 'model.options.anthropic_version' for anthropic provider" });
  }
  if ((format === 'bedrock' || format === 'gemini') && config.route_type !== 'llm/v1/chat') {
    issues.push({ path: 'route_type', message: "native provider options in llm_format can only be used with the 'llm/v1/chat' route_type" });
  }
  if ((format === 'bedrock' || format === 'gemini') && provider !== format) {
    issues.push({ path: 'model.provider', message: `native llm_format '${format}' can only be used with the '${format}' model.provider` });
  }
  if (provider === 'anthropic' && config.route_type === 'llm/v1/completions' && config.logging?.log_statistics === true) {
    issues.push({ path: 'logging.log_statistics', message: 'anthropic does not support statistics when route_type is llm/v1/completions' });
  }

  if (provider !== undefined && !SUPPORTED_PROVIDERS.includes(provider)) {
    issues.push({ path: 'model.provider', message: `provider '${provider}' is not supported yet by gw (supported: ${SUPPORTED_PROVIDERS.join(', ')})` });
  }
  if (!SUPPORTED_FORMATS.includes(format)) {
    issues.push({ path: 'llm_format', message: `llm_format '${format}' is not supported yet by gw (supported: ${SUPPORTED_FORMATS.join(', ')})` });
  }
  if (config.route_type !== undefined && !SUPPORTED_ROUTE_TYPES.includes(config.route_type)) {
    issues.push({ path: 'route_type', message: `route_type '${config.route_type}' is not supported yet by gw (supported: ${SUPPORTED_ROUTE_TYPES.join(', ')})` });
  }
  for (const path of NOT_IMPLEMENTED) {
    if (isSet(valueAt(config, path)) && valueAt(config, path) !== false) {
      issues.push({ path, message: `'${path}' is not supported yet by gw; remove it (a silently ignored setting would change who pays, or which credentials sign)` });
    }
  }
  if (auth.param_location === 'body') {
    issues.push({ path: 'auth.param_location', message: "param_location 'body' is not supported yet by gw (supported: query)" });
  }
  if (config.genai_category !== undefined && config.genai_category !== 'text/generation') {
    issues.push({ path: 'genai_category', message: `genai_category '${config.genai_category}' is not supported yet by gw (supported: text/generation)` });
  }
  issues.push(...unusedOptionWarnings(config));
  return issues;
}

/**
 * Options of other providers, route types or plugins: Kong accepts and ignores them for this instance, and
 * so does gw, saying so. Only values a user chose (not null, not the schema default a decK dump carries).
 */
const FOREIGN_OPTIONS: readonly { prefix: string; owner: string }[] = [
  { prefix: 'model.options.azure_', owner: "the 'azure' provider" },
  { prefix: 'auth.azure_', owner: "the 'azure' provider" },
  { prefix: 'auth.gcp_', owner: "the 'gemini' provider" },
  { prefix: 'model.options.gemini.', owner: "the 'gemini' provider" },
  { prefix: 'model.options.huggingface.', owner: "the 'huggingface' provider" },
  { prefix: 'model.options.cohere.', owner: "the 'cohere' provider" },
  { prefix: 'model.options.dashscope.', owner: "the 'dashscope' provider" },
  { prefix: 'model.options.llama2_format', owner: "the 'llama2' provider" },
  { prefix: 'model.options.mistral_format', owner: "the 'mistral' provider" },
  { prefix: 'model.options.embeddings_dimensions', owner: 'embeddings route types' },
  { prefix: 'model.options.bedrock.embeddings_normalize', owner: 'embeddings route types' },
  { prefix: 'model.options.bedrock.video_output_s3_uri', owner: 'video generation' },
  { prefix: 'model.options.bedrock.batch_', owner: 'batch route types' },
  { prefix: 'model.model_alias', owner: 'ai-proxy-advanced' },
];

function unusedOptionWarnings(config: AiProxyConfig): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  for (const [path, value] of leaves(config as unknown as Record<string, unknown>, '')) {
    const foreign = FOREIGN_OPTIONS.find((f) => path.startsWith(f.prefix));
    if (!foreign || NOT_IMPLEMENTED.includes(path) || value === null || value === undefined || value === schemaDefault(path)) continue;
    const provider = config.model?.provider;
    // An option of the configured provider is that provider's business (refused above when gw lacks it).
    if (provider !== undefined && foreign.owner === `the '${provider}' provider`) continue;
    out.push({ path, severity: 'warning', message: `is an option of ${foreign.owner}, not used by this ai-proxy (provider '${provider ?? ''}', route_type '${config.route_type ?? ''}')` });
  }
  return out;
}

function leaves(node: Record<string, unknown>, prefix: string): [string, unknown][] {
  return Object.entries(node).flatMap(([k, v]) =>
    v !== null && typeof v === 'object' && !Array.isArray(v) ? leaves(v as Record<string, unknown>, `${prefix}${k}.`) : [[`${prefix}${k}`, v] as [string, unknown]],
  );
}

function schemaDefault(path: string): unknown {
  let node: unknown = configSchema;
  for (const key of path.split('.')) {
    const props = (node as { properties?: Record<string, unknown> } | undefined)?.properties;
    node = props?.[key];
  }
  return (node as { default?: unknown } | undefined)?.default;
}

/**
 * Kong fields the schema accepts (real decK files carry them) that gw does not act on yet. Set, they
 * would be silently ignored, e.g. requests signed with the base credentials instead of an assumed role.
 */
const NOT_IMPLEMENTED: readonly string[] = [
  'model.options.bedrock.performance_config_latency',
  'model.options.upstream_path',
  'model.options.cache_write_cost_list',
  'model.options.context_window_factor',
  'model.options.service_tier_factor',
  'auth.azure_use_managed_identity',
  'auth.gcp_use_service_account',
];

function valueAt(root: unknown, path: string): unknown {
  let node = root;
  for (const key of path.split('.')) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return Array.isArray(node) && node.length === 0 ? undefined : node;
}

function allOrNone(issues: ConfigIssue[], auth: Record<string, unknown>, fields: string[]): void {
  const set = fields.filter((field) => isSet(auth[field])).length;
  if (set !== 0 && set !== fields.length) {
    issues.push({
      path: `auth.${fields[0]}`,
      message: `all or none of these fields must be set: ${fields.map((field) => `'auth.${field}'`).join(', ')}`,
    });
  }
}
