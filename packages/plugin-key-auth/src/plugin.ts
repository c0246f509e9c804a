/**
 * key-auth (Kong PRIORITY 1250, access phase): identifies the consumer by an API key from a header or the
 * query string, so consumer-scoped plugins apply and the log attributes the request. Follows Kong 3.10's
 * handler: 401 "No API key found in request" / "Unauthorized" / "Duplicate API key found", each with
 * WWW-Authenticate; `anonymous` turns every failure into that consumer instead.
 */
import { definePlugin, GatewayError, packageVersion, type LogRecord, type Logger, type RequestContext } from '@gw/plugin-api';
import { anonymousOf, configSchema, validateConfig, wwwAuthenticate, type KeyAuthConfig } from './config.js';
import { setConsumerHeaders } from './consumer-headers.js';
import { compileKeyNames, findKey, type KeyName } from './find-key.js';
import { lookupConsumer, lookupKey } from './lookup.js';
import { REDACTED, redactUri, removeQueryArg } from './query.js';

export interface KeyAuthState {
  names: KeyName[];
  /** Every header name a key may arrive in: redacted in the log whether or not it held the key. */
  headers: string[];
  /** Query parameter names redacted in the log. */
  queryNames: ReadonlySet<string>;
  anonymous: string | undefined;
  challenge: string;
  logger: Logger;
}

export interface KeyAuthLocal {
  /** The key name a key was found under, when hide_credentials must remove it upstream. */
  hide?: KeyName;
  /** Set once this plugin identified a consumer (by key, or the anonymous one). */
  identity?: { credentialId: string | undefined; anonymous: boolean };
}

/** Authenticates by key; returns the 401 to answer when that fails. */
function authenticate(ctx: RequestContext, config: KeyAuthConfig, state: KeyAuthState, local: KeyAuthLocal): GatewayError | undefined {
  const unauthorized = (code: 'GW_ERR_NO_API_KEY' | 'GW_ERR_UNAUTHORIZED', message?: string) =>
    new GatewayError(code, { message, headers: { 'WWW-Authenticate': state.challenge } });

  const search = findKey(ctx.request, state.names, { inHeader: config.key_in_header, inQuery: config.key_in_query });
  if (search.kind === 'duplicate') return unauthorized('GW_ERR_UNAUTHORIZED', 'Duplicate API key found');
  if (search.kind === 'missing') return unauthorized('GW_ERR_NO_API_KEY');
  // Like Kong, the key is hidden from the upstream as soon as it is found, valid or not.
  if (config.hide_credentials) local.hide = search.keyName;
  if (search.key === '') return unauthorized('GW_ERR_NO_API_KEY');

  const match = lookupKey(ctx, search.key);
  if (match === undefined) return unauthorized('GW_ERR_UNAUTHORIZED');
  ctx.authenticate(match.consumer, match.credentialId);
  local.identity = { credentialId: match.credentialId, anonymous: false };
  return undefined;
}

function useAnonymous(ctx: RequestContext, state: KeyAuthState, local: KeyAuthLocal, anonymous: string): void {
  const consumer = lookupConsumer(ctx, anonymous);
  if (consumer === undefined) {
    const message = `anonymous consumer ${anonymous} is configured but doesn't exist`;
    state.logger.error(`key-auth: ${message}`);
    throw new GatewayError('GW_ERR_INTERNAL', { message });
  }
  ctx.authenticate(consumer);
  local.identity = { credentialId: undefined, anonymous: true };
}

/** Query keys never reach the log: the record's uris and querystring get REDACTED for every key name. */
function redactRecord(record: LogRecord, names: ReadonlySet<string>): void {
  record.request.uri = redactUri(record.request.uri, names);
  record.request.url = redactUri(record.request.url, names);
  record.upstream_uri = redactUri(record.upstream_uri, names);
  const qs = record.request.querystring;
  for (const name of names) {
    const value = qs[name];
    if (value === undefined) continue;
    qs[name] = Array.isArray(value) ? value.map(() => REDACTED) : REDACTED;
  }
}

export const keyAuth = definePlugin<KeyAuthConfig, KeyAuthState, KeyAuthLocal>({
  name: 'key-auth',
  version: packageVersion(import.meta.url),
  priority: 1250,
  configSchema,
  // Kong's key-auth schema: `consumer = typedefs.no_consumer`, `protocols = typedefs.protocols_http`.
  scopes: { consumer: false },
  protocols: { allowed: ['grpc', 'grpcs', 'http', 'https', 'ws', 'wss'] },
  validate: validateConfig,
  // With `anonymous` set, a request without a valid key goes on as that consumer: nothing is refused.
  authenticates: (config) => anonymousOf(config) === undefined,
  init(config, services) {
    const names = compileKeyNames(config.key_names);
    return {
      names,
      headers: [...new Set(names.flatMap((n) => n.headers))],
      queryNames: new Set(config.key_names),
      anonymous: anonymousOf(config),
      challenge: wwwAuthenticate(config),
      logger: services.logger,
    };
  },
  access({ ctx, config, state, local }) {
    for (const header of state.headers) ctx.redactHeader(header);
    if (!config.run_on_preflight && ctx.request.method === 'OPTIONS') return;
    const failure = authenticate(ctx, config, state, local);
    if (failure === undefined) return;
    if (state.anonymous === undefined) throw failure;
    useAnonymous(ctx, state, local, state.anonymous);
  },
  upstream({ ctx, local, upstream }) {
    if (local.hide !== undefined) {
      for (const header of local.hide.headers) delete upstream.headers[header];
      upstream.query = removeQueryArg(upstream.query, local.hide.name);
    }
    if (local.identity !== undefined) {
      setConsumerHeaders(upstream.headers, ctx.consumer, local.identity.credentialId, local.identity.anonymous);
    }
  },
  log({ ctx, state, record }) {
    if (ctx.request.query !== '') redactRecord(record, state.queryNames);
  },
});

export default keyAuth;
