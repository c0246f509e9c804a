// gw-plugin-header-stamp: adds a templated (and optionally HMAC-signed) header to every response, can send the
// same stamp upstream, and records it in the log record under `config.log_key`.
//
// Written as plain ESM JavaScript with JSDoc types so it runs without a build step; the types come from
// @gw/plugin-api (type-only import, so the package has no runtime dependency on gw).
import { renderStamp, signStamp, RESERVED_HEADERS } from './stamp.js';

/**
 * @typedef {object} HeaderStampConfig
 * @property {string} header          response header to set, e.g. `x-gw-stamp`
 * @property {string} value           template, see renderStamp
 * @property {boolean} override       replace a header of the same name sent by the upstream
 * @property {string | null} upstream_header  also send the stamp to the upstream in this request header
 * @property {string | null} signing_key      HMAC key; secret, never logged
 * @property {string} log_key         where the stamp goes in the log record (dotted path)
 */

/** @typedef {{ stamps: number, logger: import('@gw/plugin-api').Logger, id: string }} HeaderStampState  per instance, shared by its requests */
/** @typedef {{ stamp?: string }} HeaderStampLocal   per request */

const HEADER_NAME = "^[!#$%&'*+.^_`|~0-9A-Za-z-]+$";

/** @type {import('@gw/plugin-api').PluginDefinition<HeaderStampConfig, HeaderStampState, HeaderStampLocal>} */
const headerStamp = {
  name: 'header-stamp',
  version: '1.0.0',
  // After auth (key-auth 1250) so {consumer} is known; before ai-proxy (770) rewrites the upstream request.
  priority: 790,
  configSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['header'],
    properties: {
      header: { type: 'string', pattern: HEADER_NAME, 'x-message': 'must be an HTTP header name' },
      value: { type: 'string', default: '{id} {route} {latency}ms', minLength: 1 },
      override: { type: 'boolean', default: false },
      upstream_header: { type: ['string', 'null'], pattern: HEADER_NAME, default: null, 'x-message': 'must be an HTTP header name' },
      signing_key: { type: ['string', 'null'], minLength: 16, default: null, 'x-secret': true },
      log_key: { type: 'string', default: 'header_stamp', minLength: 1 },
    },
  },

  validate(config) {
    /** @type {import('@gw/plugin-api').ConfigIssue[]} */
    const issues = [];
    for (const field of /** @type {const} */ (['header', 'upstream_header'])) {
      const name = config[field];
      if (typeof name === 'string' && RESERVED_HEADERS.has(name.toLowerCase())) {
        issues.push({ path: field, message: `'${name}' is managed by gw and cannot be stamped` });
      }
    }
    if (config.upstream_header && /\{(status|latency)\}/.test(config.value)) {
      issues.push({ path: 'value', message: '{status} and {latency} are unknown before the upstream answers; drop upstream_header or them' });
    }
    return issues;
  },

  init(_config, services) {
    return { stamps: 0, logger: services.logger, id: services.pluginId };
  },

  // The instance retires on reload or shutdown, after its last request.
  close(state) {
    state.logger.info(`header-stamp ${state.id}: stamped ${state.stamps} responses`);
  },

  upstream({ ctx, config, local, upstream }) {
    if (!config.upstream_header) return;
    local.stamp = stamp(ctx, config, undefined);
    upstream.headers[config.upstream_header.toLowerCase()] = local.stamp;
  },

  responseHeaders({ ctx, config, state, local, response }) {
    const name = config.header.toLowerCase();
    if (response.headers[name] !== undefined && !config.override) return;
    const value = local.stamp ?? stamp(ctx, config, response.status);
    response.headers[name] = value;
    state.stamps += 1;
    ctx.setSerializeValue(config.log_key, value);
  },
};

/**
 * @param {import('@gw/plugin-api').RequestContext} ctx
 * @param {HeaderStampConfig} config
 * @param {number | undefined} status
 */
function stamp(ctx, config, status) {
  const value = renderStamp(config.value, {
    id: ctx.id,
    route: ctx.route.name ?? ctx.route.id,
    service: ctx.service?.name ?? ctx.service?.id,
    consumer: ctx.consumer?.username ?? ctx.consumer?.custom_id,
    method: ctx.request.method,
    status,
    latency: Math.round(Date.now() - ctx.startedAt),
  });
  return config.signing_key ? signStamp(value, config.signing_key) : value;
}

export default headerStamp;
