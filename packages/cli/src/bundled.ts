/** The plugins shipped with gw: what `--plugins bundled` (the default) enables. */
import type { AnyPlugin } from '@gw/core';
import aiProxy, { aiProxyAdvancedPlugin } from '@gw/plugin-ai-proxy';
import fileLog from '@gw/plugin-file-log';
import keyAuth from '@gw/plugin-key-auth';
import opentelemetry from '@gw/plugin-opentelemetry';
import prometheus from '@gw/plugin-prometheus';
import rateLimiting from '@gw/plugin-rate-limiting';
import aiRateLimitingAdvanced from '@gw/plugin-ai-rate-limiting-advanced';

export const BUNDLED_PLUGINS: readonly AnyPlugin[] = [aiProxy, aiProxyAdvancedPlugin, fileLog, keyAuth, opentelemetry, prometheus, rateLimiting, aiRateLimitingAdvanced];
