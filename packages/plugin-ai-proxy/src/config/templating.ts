import { GatewayError, type ClientRequest } from '@gw/plugin-api';
import type { AiProxyConfig, ModelConfig } from './types.js';

/**
 * Kong's model templating: a string in `model.name` or `model.options.*` (nested
 * included) may contain one `$(source.key)`, with source `headers`, `uri_captures` or `query_params`,
 * resolved per request. Failures are 400 with Kong's messages.
 */
const EXPRESSION = /\$\(([^)]*)\)/;

export function hasTemplates(model: ModelConfig): boolean {
  return JSON.stringify(model).includes('$(');
}

/** A copy of `config` with templates in `model` filled from the request. */
export function renderModelTemplates(config: AiProxyConfig, request: ClientRequest): AiProxyConfig {
  return { ...config, model: renderValue(config.model, request) as ModelConfig };
}

function renderValue(value: unknown, request: ClientRequest): unknown {
  if (typeof value === 'string') return renderString(value, request);
  if (Array.isArray(value)) return value.map((item) => renderValue(item, request));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, renderValue(item, request)]));
  }
  return value;
}

function renderString(value: string, request: ClientRequest): string {
  const match = EXPRESSION.exec(value);
  if (match === null) return value;
  const dot = match[1].indexOf('.');
  const source = match[1].slice(0, dot);
  const key = match[1].slice(dot + 1);
  if (dot <= 0 || key === '' || !['headers', 'uri_captures', 'query_params'].includes(source)) {
    throw new GatewayError('GW_ERR_BAD_REQUEST', { message: `cannot parse expression for field '${value}'` });
  }
  const found = lookup(source, key, request);
  if (found === undefined) throw new GatewayError('GW_ERR_BAD_REQUEST', { message: `${source} key ${key} was not provided` });
  return value.replace(match[0], found);
}

function lookup(source: string, key: string, request: ClientRequest): string | undefined {
  if (source === 'headers') {
    const header = request.headers[key.toLowerCase()];
    return Array.isArray(header) ? header[0] : header;
  }
  if (source === 'uri_captures') return request.uriCaptures[key];
  return new URLSearchParams(request.query).get(key) ?? undefined;
}
