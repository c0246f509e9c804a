/**
 * Plugins for config tests. The real ai-proxy and file-log schemas live in their packages; these stand-ins
 * accept any config (ai-proxy, file-log) or have a small strict schema with cross-field rules (test-limits)
 * so plugin config validation can be tested independently of them.
 */
import { definePlugin, type ConfigIssue } from '@gw/plugin-api';
import type { PluginRegistry, AnyPlugin } from '../../src/runtime/registry.js';

const permissive = (name: string, priority: number): AnyPlugin =>
  definePlugin({ name, version: '0.0.1', priority, configSchema: { type: 'object' } });

export const testLimits = definePlugin<{ limit: number; window: string; burst?: number; api_key?: string }>({
  name: 'test-limits',
  version: '0.0.1',
  priority: 900,
  configSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['limit'],
    properties: {
      limit: { type: 'integer', minimum: 1, maximum: 1000 },
      window: { enum: ['second', 'minute', 'hour'], default: 'minute' },
      burst: { type: 'integer' },
      api_key: { type: 'string', 'x-secret': true, minLength: 8 },
    },
  },
  validate(config) {
    const issues: ConfigIssue[] = config.burst !== undefined && config.burst < config.limit ? [{ path: 'burst', message: 'must be at least limit' }] : [];
    if (config.window === 'hour') issues.push({ path: 'window', message: 'hour is accepted and not acted on', severity: 'warning' as const });
    return issues;
  },
});

/** Declares what key-auth declares: no consumer scope (Kong's no_consumer), HTTP protocols only. */
export const testAuth = definePlugin({
  name: 'test-auth',
  version: '0.0.1',
  priority: 1250,
  configSchema: { type: 'object' },
  scopes: { consumer: false },
  protocols: { allowed: ['grpc', 'grpcs', 'http', 'https', 'ws', 'wss'] },
});

export function testRegistry(): PluginRegistry {
  return new Map<string, AnyPlugin>([
    // Declares ai-proxy's own protocols default (Kong Enterprise 3.13 adds ws, wss).
    ['ai-proxy', { ...permissive('ai-proxy', 770), protocols: { default: ['grpc', 'grpcs', 'http', 'https', 'ws', 'wss'] } }],
    ['test-auth', testAuth as AnyPlugin],
    ['file-log', permissive('file-log', 9)],
    ['test-limits', testLimits as AnyPlugin],
  ]);
}
