import type { ConfigIssue } from '@gw/plugin-api';
import type { AiProxyConfig } from './types.js';
import { configSchema } from './schema.js';
import { TRANSLATORS, supportedPairs, translatorFor } from '../translators/index.js';
import { CATALOGUE } from '../phases/model.js';

const isSet = (value: unknown): boolean => value !== undefined && value !== null && value !== '';

/** Kong's native formats: `llm_format` naming a provider, usable only with that provider and the chat route type. */
const NATIVE_FORMATS: readonly string[] = ['bedrock', 'gemini'];

/**
 * Kong's entity checks for ai-proxy (messages as in Kong's config spec; a backend's own in its folder),
 * then whether gw has a translator for the (llm_format, provider, route_type): the pair table
 * (translators/index.ts) is the one list of what gw supports.
 */
export function validate(config: AiProxyConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const auth = config.auth ?? {};
  const provider = config.model?.provider;
  const format = config.llm_format ?? 'openai';

  allOrNone(issues, auth, ['header_name', 'header_value']);
  allOrNone(issues, auth, ['param_name', 'param_value', 'param_location']);
  if (NATIVE_FORMATS.includes(format) && config.route_type !== 'llm/v1/chat') {
    issues.push({ path: 'route_type', message: "native provider options in llm_format can only be used with the 'llm/v1/chat' route_type" });
  }
  if (NATIVE_FORMATS.includes(format) && provider !== format) {
    issues.push({ path: 'model.provider', message: `native llm_format '${format}' can only be used with the '${format}' model.provider` });
  }
  const backend = TRANSLATORS.find((t) => t.backend.name === provider)?.backend;
  if (backend?.validate !== undefined && config.model !== undefined) issues.push(...backend.validate(config));
  issues.push(...pairIssues(config, format, provider));
  issues.push(...catalogueIssues(config, format, provider));
  const translator = provider === undefined ? undefined : translatorFor(format, provider, config.route_type ?? 'llm/v1/chat');
  if (translator?.format.validate !== undefined && config.model !== undefined) issues.push(...translator.format.validate(config));

  for (const path of NOT_IMPLEMENTED) {
    if (isSet(valueAt(config, path)) && valueAt(config, path) !== false) {
      issues.push({ path, message: `'${path}' is not supported yet by gw; remove it (a silently ignored setting would change who pays, or which credentials sign)` });
    }
  }
  if (auth.param_location === 'body') {
    issues.push({ path: 'auth.param_location', message: "param_location 'body' is not supported yet by gw (supported: query)" });
  }
  const categories = [...(CATEGORY[config.route_type] ?? []), 'text/generation'];
  if (config.genai_category !== undefined && !categories.includes(config.genai_category)) {
    issues.push({ path: 'genai_category', message: `genai_category '${config.genai_category}' is not supported yet by gw (supported: ${categories.join(', ')})` });
  }
  issues.push(...unusedOptionWarnings(config));
  return issues;
}

/**
 * No translator for this (llm_format, provider, route_type): one issue, on the field that no supported pair
 * has (the provider, else the format), naming the pairs gw has; or on route_type when the pair exists but
 * doesn't serve it.
 */
function pairIssues(config: AiProxyConfig, format: string, provider: string | undefined): ConfigIssue[] {
  if (provider === undefined) return [];
  const routeType = config.route_type ?? 'llm/v1/chat';
  if (translatorFor(format, provider, routeType) !== undefined) return [];
  const pair = TRANSLATORS.filter((t) => t.format.name === format && t.backend.name === provider);
  if (pair.length > 0) {
    const served = [...new Set(pair.flatMap((t) => t.routeTypes))];
    return [{ path: 'route_type', message: `route_type '${routeType}' is not supported yet by gw for llm_format '${format}' with provider '${provider}' (supported: ${served.join(', ')})` }];
  }
  const knownProvider = TRANSLATORS.some((t) => t.backend.name === provider);
  return [{
    path: knownProvider ? 'llm_format' : 'model.provider',
    message: `llm_format '${format}' with provider '${provider}' is not supported yet by gw (supported llm_format → provider: ${supportedPairs().join(', ')})`,
  }];
}

/** A `model_aliases` value `catalogue` needs a backend that has a catalogue view (Backend.models). */
function catalogueIssues(config: AiProxyConfig, format: string, provider: string | undefined): ConfigIssue[] {
  const aliases = config.model_aliases ?? {};
  const key = Object.keys(aliases).find((pattern) => aliases[pattern] === CATALOGUE);
  const backend = provider === undefined ? undefined : translatorFor(format, provider, config.route_type ?? 'llm/v1/chat')?.backend;
  if (key === undefined || backend === undefined || backend.models !== undefined) return [];
  return [{ path: `model_aliases.${key}`, message: `provider '${provider}' has no model catalogue in gw: map the id to an upstream model id` }];
}

/** The genai_category a route type's calls are, besides Kong's default text/generation (which decK dumps carry). */
const CATEGORY: Readonly<Record<string, readonly string[]>> = { 'llm/v1/embeddings': ['text/embeddings'] };

/**
 * Options of other providers, route types or plugins: Kong accepts and ignores them for this instance, and
 * so does gw, saying so. Only values a user chose (not null, not the schema default a decK dump carries).
 */
/** `routeType` (and `provider`): where the option is used, so not warned about. */
const FOREIGN_OPTIONS: readonly { prefix: string; owner: string; routeType?: string; provider?: string }[] = [
  { prefix: 'model.options.azure_', owner: "the 'azure' provider" },
  { prefix: 'auth.azure_', owner: "the 'azure' provider" },
  { prefix: 'auth.gcp_', owner: "the 'gemini' provider" },
  { prefix: 'model.options.gemini.', owner: "the 'gemini' provider" },
  { prefix: 'model.options.huggingface.', owner: "the 'huggingface' provider" },
  { prefix: 'model.options.cohere.', owner: "the 'cohere' provider" },
  { prefix: 'model.options.dashscope.', owner: "the 'dashscope' provider" },
  { prefix: 'model.options.llama2_format', owner: "the 'llama2' provider" },
  { prefix: 'model.options.mistral_format', owner: "the 'mistral' provider" },
  { prefix: 'model.options.embeddings_dimensions', owner: 'embeddings route types', routeType: 'llm/v1/embeddings' },
  { prefix: 'model.options.bedrock.embeddings_normalize', owner: "embeddings route types with the 'bedrock' provider", routeType: 'llm/v1/embeddings', provider: 'bedrock' },
  { prefix: 'model.options.bedrock.embeddings_input_type', owner: "embeddings route types with the 'bedrock' provider", routeType: 'llm/v1/embeddings', provider: 'bedrock' },
  { prefix: 'model.options.bedrock.video_output_s3_uri', owner: 'video generation' },
  { prefix: 'model.options.bedrock.batch_', owner: 'batch route types' },
  { prefix: 'model.options.bedrock.inference_profile', owner: "the 'bedrock' provider" },
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
    if (foreign.routeType === config.route_type && (foreign.provider === undefined || foreign.provider === provider)) continue;
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
