// The stamp itself: a template filled from the request, optionally signed. Pure functions, no gw types.
import { createHmac } from 'node:crypto';

const PLACEHOLDER = /\{(id|route|service|consumer|method|status|latency)\}/g;

/**
 * Fills `{id}`, `{route}`, `{service}`, `{consumer}`, `{method}`, `{status}` and `{latency}` (ms since the
 * request arrived). Missing values (no consumer, an unnamed route) become `-`.
 * @param {string} template
 * @param {Record<string, string | number | undefined>} values
 * @returns {string}
 */
export function renderStamp(template, values) {
  return template.replace(PLACEHOLDER, (_whole, key) => {
    const value = values[key];
    return value === undefined || value === '' ? '-' : String(value);
  });
}

/**
 * Appends `; sig=<HMAC-SHA256, base64url>` so the receiver can tell the stamp came from this gateway.
 * @param {string} value
 * @param {string} key
 * @returns {string}
 */
export function signStamp(value, key) {
  return `${value}; sig=${createHmac('sha256', key).update(value).digest('base64url')}`;
}

// Headers whose value gw computes itself or that describe the connection: stamping them breaks framing.
export const RESERVED_HEADERS = new Set([
  'connection', 'content-length', 'transfer-encoding', 'keep-alive', 'upgrade', 'te', 'trailer',
  'proxy-connection', 'host', 'content-encoding',
]);
