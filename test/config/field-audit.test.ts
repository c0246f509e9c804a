/**
 * The field audit: every property the config schemas accept (schemas/*.json and the bundled plugins'
 * config schemas) is listed here with what gw does with it. A new field fails this test until someone
 * decides: honoured, warned about, refused, or identity/metadata. Warned fields must be in the table of
 * docs/configuration.md ("Accepted, not acted on").
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

type Status =
  | 'honoured' // gw acts on it as Kong does (or as documented in kong-differences.md)
  | 'warned' // accepted, not acted on: gw sync / gw start print a warning when it is set
  | 'refused' // a problem, with a message naming what it is
  | 'metadata' // identity or bookkeeping: ids, names, tags, timestamps (kept, logged; no runtime effect in Kong either)
  | 'container'; // a list or record whose entries are audited one by one

const CORE: Record<string, Status> = {
  'deck-file:_format_version': 'honoured',
  'deck-file:_transform': 'honoured', // true only; false refused
  'deck-file:_info': 'container',
  'deck-file:_info.select_tags': 'honoured',
  'deck-file:_info.defaults': 'container',
  'deck-file:_info.defaults.service': 'honoured',
  'deck-file:_info.defaults.route': 'honoured',
  'deck-file:_info.defaults.upstream': 'warned',
  'deck-file:_info.defaults.target': 'warned',
  'deck-file:_info.default_lookup_tags': 'refused',
  'deck-file:_info.consumer_group_policy_overrides': 'refused', // true refused, false is what gw does
  'deck-file:_info.skip_hash_for_basic_auth': 'warned',
  'deck-file:_info.include_plugin_definitions': 'warned',
  'deck-file:services': 'container',
  'deck-file:routes': 'container',
  'deck-file:consumers': 'container',
  'deck-file:plugins': 'container',
  'deck-file:certificates': 'container',
  'deck-file:ca_certificates': 'container',
  'deck-file:vaults': 'container',
  'deck-file:vaults.[].id': 'metadata',
  'deck-file:vaults.[].name': 'honoured', // env; others refused
  'deck-file:vaults.[].prefix': 'honoured',
  'deck-file:vaults.[].description': 'metadata',
  'deck-file:vaults.[].config': 'honoured', // env: prefix
  'deck-file:vaults.[].tags': 'metadata',
  'deck-file:vaults.[].created_at': 'metadata',
  'deck-file:vaults.[].updated_at': 'metadata',
  'deck-file:_workspace': 'honoured', // default only
  'deck-file:_konnect': 'refused',
  'deck-file:_plugin_configs': 'refused',
  'deck-file:consumer_groups': 'container',
  'deck-file:upstreams': 'refused',
  'deck-file:partials': 'refused',
  'deck-file:keys': 'refused',
  'deck-file:key_sets': 'refused',
  'deck-file:filter_chains': 'refused',
  'deck-file:rbac_roles': 'refused',
  'deck-file:licenses': 'refused',
  'deck-file:custom_entities': 'refused',
  'deck-file:service_packages': 'refused',
  'deck-file:cloned_plugins': 'refused',
  'deck-file:custom_plugins': 'refused',
  'deck-file:ai_models': 'refused',
  'deck-file:consumer_group_consumers': 'refused',
  'deck-file:consumer_group_plugins': 'refused',
  'deck-file:plugins_partials': 'refused',

  'service:id': 'metadata',
  'service:name': 'metadata',
  'service:url': 'honoured',
  'service:protocol': 'honoured', // http, https; others refused
  'service:host': 'honoured',
  'service:port': 'honoured',
  'service:path': 'honoured',
  'service:retries': 'honoured',
  'service:connect_timeout': 'honoured',
  'service:write_timeout': 'honoured',
  'service:read_timeout': 'honoured',
  'service:enabled': 'honoured',
  'service:tags': 'metadata',
  'service:tls_verify': 'honoured',
  'service:tls_verify_depth': 'honoured',
  'service:ca_certificates': 'honoured',
  'service:client_certificate': 'honoured',
  'service:client_certificate.id': 'honoured',
  'service:created_at': 'metadata',
  'service:updated_at': 'metadata',
  'service:routes': 'container',
  'service:plugins': 'container',
  'service:filter_chains': 'refused',
  'service:tls_sans': 'refused',

  'route:id': 'metadata',
  'route:name': 'metadata',
  'route:service': 'honoured',
  'route:protocols': 'honoured', // http, https; others refused
  'route:methods': 'honoured',
  'route:hosts': 'honoured',
  'route:paths': 'honoured', // and the route-regex-path-format warning
  'route:headers': 'honoured',
  'route:snis': 'honoured',
  'route:sources': 'refused',
  'route:destinations': 'refused',
  'route:expression': 'refused',
  'route:priority': 'refused',
  'route:strip_path': 'honoured',
  'route:preserve_host': 'honoured',
  'route:regex_priority': 'honoured',
  'route:path_handling': 'honoured', // the router's owner decides v1 (Kong 3.x applies v0 under traditional_compatible)
  'route:https_redirect_status_code': 'honoured',
  'route:request_buffering': 'warned', // false honoured (gw streams); true warned
  'route:response_buffering': 'warned',
  'route:tags': 'metadata',
  'route:created_at': 'metadata', // also the router's tie-breaker
  'route:updated_at': 'metadata',
  'route:plugins': 'container',
  'route:filter_chains': 'refused',

  'plugin:id': 'metadata',
  'plugin:name': 'honoured',
  'plugin:instance_name': 'metadata',
  'plugin:config': 'honoured', // each plugin's own schema, audited below
  'plugin:enabled': 'honoured',
  'plugin:protocols': 'warned', // subsystem as in Kong; warned where it reads as a request filter or never runs
  'plugin:tags': 'metadata',
  'plugin:service': 'honoured',
  'plugin:route': 'honoured',
  'plugin:consumer': 'honoured',
  'plugin:created_at': 'metadata',
  'plugin:consumer_group': 'honoured',
  'plugin:ordering': 'refused',
  'plugin:partials': 'refused',
  'plugin:_config': 'refused',
  'plugin:condition': 'refused',
  'plugin:model': 'refused',
  'plugin:run_on': 'refused',

  'consumer:id': 'metadata',
  'consumer:username': 'honoured',
  'consumer:custom_id': 'honoured',
  'consumer:tags': 'metadata',
  'consumer:created_at': 'metadata',
  'consumer:keyauth_credentials': 'container',
  'consumer:keyauth_credentials.[].id': 'honoured', // x-credential-identifier
  'consumer:keyauth_credentials.[].key': 'honoured',
  'consumer:keyauth_credentials.[].tags': 'metadata',
  'consumer:keyauth_credentials.[].ttl': 'refused', // 0 or null accepted
  'consumer:keyauth_credentials.[].created_at': 'metadata',
  'consumer:plugins': 'container',
  'consumer:basicauth_credentials': 'refused',
  'consumer:jwt_secrets': 'refused',
  'consumer:hmacauth_credentials': 'refused',
  'consumer:oauth2_credentials': 'refused',
  'consumer:mtls_auth_credentials': 'refused',
  'consumer:acls': 'refused',
  'consumer:groups': 'container',
  'consumer:groups.[].id': 'honoured',
  'consumer:groups.[].name': 'honoured',
  'consumer:groups.[].tags': 'metadata',
  'consumer:groups.[].created_at': 'metadata',
  'consumer:groups.[].updated_at': 'metadata',

  'consumer-group:id': 'honoured',
  'consumer-group:name': 'honoured',
  'consumer-group:tags': 'metadata',
  'consumer-group:created_at': 'metadata',
  'consumer-group:updated_at': 'metadata',
  'consumer-group:consumers': 'container',
  'consumer-group:consumers.[].id': 'honoured',
  'consumer-group:consumers.[].username': 'honoured',
  'consumer-group:consumers.[].custom_id': 'honoured',
  'consumer-group:consumers.[].tags': 'metadata',
  'consumer-group:consumers.[].created_at': 'metadata',
  'consumer-group:plugins': 'container',

  'certificate:id': 'honoured',
  'certificate:cert': 'honoured',
  'certificate:key': 'honoured',
  'certificate:cert_alt': 'warned',
  'certificate:key_alt': 'warned',
  'certificate:snis': 'warned',
  'certificate:snis.[].name': 'warned',
  'certificate:snis.[].id': 'warned',
  'certificate:snis.[].tags': 'warned',
  'certificate:snis.[].created_at': 'warned',
  'certificate:snis.[].certificate': 'warned',
  'certificate:tags': 'metadata',
  'certificate:created_at': 'metadata',
  'certificate:updated_at': 'metadata',

  'ca-certificate:id': 'honoured',
  'ca-certificate:cert': 'honoured',
  'ca-certificate:cert_digest': 'warned', // recomputed; a mismatch is warned about
  'ca-certificate:tags': 'metadata',
  'ca-certificate:created_at': 'metadata',
  'ca-certificate:updated_at': 'metadata',
};

const AI_PROXY_FOREIGN = [
  'auth.azure_client_id', 'auth.azure_client_secret', 'auth.azure_tenant_id', 'auth.gcp_service_account_json', 'auth.gcp_metadata_url',
  'auth.gcp_oauth_token_url', 'model.options.azure_instance', 'model.options.azure_api_version', 'model.options.azure_deployment_id',
  'model.options.llama2_format', 'model.options.mistral_format',
  'model.options.bedrock.video_output_s3_uri', 'model.options.bedrock.batch_bucket_prefix', 'model.options.bedrock.batch_role_arn',
  'model.options.gemini.api_endpoint', 'model.options.gemini.project_id', 'model.options.gemini.location_id', 'model.options.gemini.endpoint_id',
  'model.options.huggingface.use_cache', 'model.options.huggingface.wait_for_model', 'model.options.cohere.embedding_input_type',
  'model.options.cohere.wait_for_model', 'model.options.dashscope.international', 'model.model_alias',
];
const AI_PROXY_REFUSED = [
  'model.options.upstream_path', 'model.options.cache_write_cost_list', 'model.options.cache_write_cost_list.[].ttl',
  'model.options.cache_write_cost_list.[].cost', 'model.options.context_window_factor', 'model.options.context_window_factor.[].above',
  'model.options.context_window_factor.[].input_factor', 'model.options.context_window_factor.[].output_factor',
  'model.options.service_tier_factor', 'model.options.service_tier_factor.[].tier', 'model.options.service_tier_factor.[].factor',
  'model.options.bedrock.performance_config_latency', 'auth.azure_use_managed_identity', 'auth.gcp_use_service_account',
];
const AI_PROXY_CONTAINERS = ['logging', 'auth', 'model', 'model.options', 'model.options.bedrock', 'model.options.gemini', 'model.options.huggingface', 'model.options.cohere', 'model.options.dashscope'];
const AI_PROXY_HONOURED = [
  'route_type', 'llm_format', 'genai_category', 'response_streaming', 'max_request_body_size', 'model_name_header', 'logging.log_statistics',
  'logging.log_payloads', 'auth.header_name', 'auth.header_value', 'auth.param_name', 'auth.param_value', 'auth.param_location',
  'auth.aws_access_key_id', 'auth.aws_secret_access_key', 'auth.allow_override', 'model.provider', 'model.name', 'model.options.max_tokens',
  'model.options.temperature', 'model.options.top_p', 'model.options.top_k', 'model.options.input_cost', 'model.options.output_cost',
  'model.options.cache_read_cost', 'model.options.cache_write_cost', 'model.options.anthropic_version', 'model.options.upstream_url',
  'model.options.bedrock.aws_region', 'model.options.bedrock.aws_assume_role_arn', 'model.options.bedrock.aws_role_session_name',
  'model.options.bedrock.aws_sts_endpoint_url', 'model_aliases', 'stream_ping_interval',
  // gw extension: honoured where the catalogue maps a model; warned about where nothing can (validate.ts, backends/bedrock).
  'model.options.bedrock.inference_profile',
  // Honoured on route_type llm/v1/embeddings (Bedrock embeddings); warned about on other route types (validate.ts).
  'model.options.embeddings_dimensions', 'model.options.bedrock.embeddings_normalize', 'model.options.bedrock.embeddings_input_type',
];

const PLUGINS: Record<string, Record<string, Status>> = {
  'ai-proxy': Object.fromEntries([
    ...AI_PROXY_HONOURED.map((p) => [p, 'honoured']),
    ...AI_PROXY_FOREIGN.map((p) => [p, 'warned']),
    ...AI_PROXY_REFUSED.map((p) => [p, 'refused']),
    ...AI_PROXY_CONTAINERS.map((p) => [p, 'container']),
  ]) as Record<string, Status>,
  'rate-limiting': {
    second: 'honoured', minute: 'honoured', hour: 'honoured', day: 'honoured', month: 'honoured', year: 'honoured',
    limit_by: 'honoured', header_name: 'honoured', path: 'honoured',
    policy: 'honoured', // local, redis; cluster refused
    fault_tolerant: 'honoured', hide_client_headers: 'honoured', error_code: 'honoured', error_message: 'honoured', sync_rate: 'honoured',
    redis: 'container', 'redis.host': 'honoured', 'redis.port': 'honoured', 'redis.timeout': 'honoured', 'redis.username': 'honoured',
    'redis.password': 'honoured', 'redis.database': 'honoured', 'redis.ssl': 'honoured', 'redis.ssl_verify': 'honoured',
    'redis.server_name': 'honoured', 'redis.cloud_authentication': 'refused', // only null
    // Kong's deprecated shorthands: applied to redis.*, warned about when they change a value, refused when they contradict it.
    redis_host: 'honoured', redis_port: 'honoured', redis_password: 'honoured', redis_username: 'honoured', redis_ssl: 'honoured',
    redis_ssl_verify: 'honoured', redis_server_name: 'honoured', redis_timeout: 'honoured', redis_database: 'honoured',
  },
  'ai-rate-limiting-advanced': {
    llm_providers: 'container', 'llm_providers.[].name': 'honoured', // requestPrompt, customCost refused
    'llm_providers.[].limit': 'honoured', 'llm_providers.[].window_size': 'honoured',
    policies: 'container', 'policies.[].id': 'refused', 'policies.[].match': 'container', 'policies.[].match.[].type': 'honoured',
    'policies.[].match.[].key': 'honoured', 'policies.[].match.[].values': 'honoured', 'policies.[].match.[].partition_by': 'honoured',
    'policies.[].limits': 'container', 'policies.[].limits.[].limit': 'honoured', 'policies.[].limits.[].window_size': 'honoured',
    'policies.[].limits.[].tokens_count_strategy': 'honoured', 'policies.[].window_type': 'honoured',
    tokens_count_strategy: 'honoured', identifier: 'honoured', header_name: 'honoured', path: 'honoured', window_type: 'honoured',
    strategy: 'honoured', // local, redis; cluster refused
    sync_rate: 'honoured', namespace: 'honoured', error_code: 'honoured', error_message: 'honoured', error_hide_providers: 'honoured',
    hide_client_headers: 'honoured', retry_after_jitter_max: 'honoured',
    dictionary_name: 'warned', // unless the default
    disable_penalty: 'honoured', // gw never counts refused requests (they use no tokens): true's behaviour, documented
    decrease_by_fractions_in_redis: 'honoured', // gw always counts exact amounts: true's behaviour, documented
    llm_format: 'warned',
    request_prompt_count_function: 'refused', custom_cost_count_function: 'refused',
    redis: 'container', 'redis.host': 'honoured', 'redis.port': 'honoured', 'redis.database': 'honoured', 'redis.username': 'honoured',
    'redis.password': 'honoured', 'redis.ssl': 'honoured', 'redis.ssl_verify': 'honoured', 'redis.server_name': 'honoured',
    'redis.connect_timeout': 'honoured', 'redis.read_timeout': 'honoured', 'redis.timeout': 'honoured',
    'redis.send_timeout': 'honoured', // commands are bounded by read_timeout, which covers the send
    'redis.keepalive_pool_size': 'warned', 'redis.keepalive_backlog': 'warned', 'redis.connection_is_proxied': 'warned',
    'redis.cluster_nodes': 'refused', 'redis.cluster_addresses': 'refused', 'redis.cluster_max_redirections': 'refused',
    'redis.sentinel_master': 'refused', 'redis.sentinel_nodes': 'refused', 'redis.sentinel_addresses': 'refused', 'redis.sentinel_role': 'refused',
    'redis.sentinel_username': 'refused', 'redis.sentinel_password': 'refused', 'redis.cloud_authentication': 'refused',
  },
  'file-log': { path: 'honoured', reopen: 'honoured', custom_fields_by_lua: 'refused', custom_fields: 'honoured' },
  'key-auth': {
    key_names: 'honoured', hide_credentials: 'honoured', anonymous: 'honoured', key_in_header: 'honoured', key_in_query: 'honoured',
    key_in_body: 'refused', run_on_preflight: 'honoured', realm: 'honoured', identity_realms: 'honoured', principals: 'honoured',
  },
  prometheus: {
    per_consumer: 'honoured', status_code_metrics: 'honoured', ai_metrics: 'honoured', latency_metrics: 'honoured', bandwidth_metrics: 'honoured',
    upstream_health_metrics: 'warned', // gw has no upstreams or health checks
    wasm_metrics: 'warned', // gw runs no Wasm filters
  },
  opentelemetry: {
    traces_endpoint: 'honoured', endpoint: 'honoured', // the deprecated shorthand, warned about as Kong does
    logs_endpoint: 'warned', // gw exports no logs over OTLP
    headers: 'honoured', resource_attributes: 'honoured',
    queue: 'container', 'queue.max_batch_size': 'honoured', 'queue.max_coalescing_delay': 'honoured', 'queue.max_entries': 'honoured',
    'queue.max_bytes': 'warned', // spans are not strings
    'queue.max_retry_time': 'honoured', 'queue.initial_retry_delay': 'honoured', 'queue.max_retry_delay': 'honoured', 'queue.concurrency_limit': 'honoured',
    batch_span_count: 'honoured', batch_flush_delay: 'honoured', // deprecated, mapped onto queue as Kong does
    connect_timeout: 'honoured', send_timeout: 'honoured', read_timeout: 'honoured', // their sum bounds each export
    http_response_header_for_traceid: 'honoured', sampling_rate: 'honoured',
    header_type: 'honoured', // w3c semantics; other formats warned about
    propagation: 'container', 'propagation.extract': 'honoured', 'propagation.clear': 'honoured', 'propagation.inject': 'honoured', 'propagation.default_format': 'honoured', // W3C only; other formats warned about
    capture_message_content: 'honoured', // gw's opt-in for prompt and completion text
  },
};

interface SchemaNode {
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
  anyOf?: SchemaNode[];
  oneOf?: SchemaNode[];
  $ref?: string;
}

/** Property paths of a schema; a `$ref` to another file is that file's business. */
function paths(node: SchemaNode, prefix = ''): string[] {
  if (node.$ref !== undefined) return [];
  const out: string[] = [];
  for (const [k, v] of Object.entries(node.properties ?? {})) out.push(`${prefix}${k}`, ...paths(v, `${prefix}${k}.`));
  if (node.items) out.push(...paths(node.items, `${prefix}[].`));
  for (const alt of [...(node.anyOf ?? []), ...(node.oneOf ?? [])]) out.push(...paths(alt, prefix));
  return out;
}

const json = (path: string) => JSON.parse(readFileSync(new URL(path, import.meta.url), 'utf8')) as SchemaNode;

describe('field audit', () => {
  it('lists every field of schemas/*.json', () => {
    const found = ['deck-file', 'service', 'route', 'plugin', 'consumer', 'consumer-group', 'certificate', 'ca-certificate'].flatMap((name) =>
      paths(json(`../../schemas/${name}.schema.json`)).map((p) => `${name}:${p}`),
    );
    expect([...new Set(found)].sort()).toEqual(Object.keys(CORE).sort());
  });

  it("lists every field of the bundled plugins' config schemas", () => {
    for (const [name, audit] of Object.entries(PLUGINS)) {
      const found = paths(json(`../../packages/plugin-${name}/schema/config.schema.json`));
      expect([...new Set(found)].sort(), name).toEqual(Object.keys(audit).sort());
    }
  });

  it("names every warned field in configuration.md's table", () => {
    const doc = readFileSync(new URL('../../docs/configuration.md', import.meta.url), 'utf8');
    const table = doc.slice(doc.indexOf('## Accepted, not acted on'));
    const warned = Object.entries(CORE).filter(([, s]) => s === 'warned').map(([p]) => p.split(':')[1].replace(/\.\[\]\..*$/, '').split('.').pop()!);
    for (const field of new Set(warned)) expect(table, field).toMatch(new RegExp(`[\`.]${field}\\b`));
  });
});
