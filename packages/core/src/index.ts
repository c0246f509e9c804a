// Config pipeline
export * from './config/index.js';
// Router
export { createRouter, normalizePath, joinUpstreamPath, type MatchInput, type RouteMatch, type Router } from './router/index.js';
// Plugins: registry, loader, per-request plan
export type { AnyPlugin, PluginRegistry } from './runtime/registry.js';
export { loadPluginRegistry, checkPluginDefinition, PluginLoadError, type LoadPluginRegistryOptions } from './runtime/plugin-loader.js';
export { createPluginPlan, comparePlanned, type PluginPlan, type PlannedPlugin } from './runtime/plan.js';
export { findOpenRoutes, isLoopback, openRouteWarnings, type OpenRoute } from './runtime/open-routes.js';
// Gateway (server, proxy, lifecycle)
export { createGateway, DEFAULT_CLIENT_TIMEOUT_MS, type Gateway, type GatewayOptions } from './server/gateway.js';
export { GW_VERSION } from './server/version.js';
export { parseHeaderPolicy, DEFAULT_HEADERS, DEFAULT_HEADERS_UPSTREAM, type HeaderPolicy } from './proxy/header-policy.js';
// Log record
export { buildLogRecord, parseQuery, type LogInput } from './log/record.js';
export { REDACTED, ALWAYS_REDACTED, redactHeaders } from './log/redact.js';
// Lifecycle: the one controller of a running gateway (signals, admin API, a cluster primary)
export { createLifecycle, describeConfig, DEFAULT_STAGE_TIMEOUT_MS, type ConfigSource, type Failure, type Lifecycle, type LifecycleOptions, type LifecycleTarget, type ReloadOutcome, type ResolvedSource, type Snapshot, type Staged } from './lifecycle/controller.js';
export { followSignals, type SignalOptions } from './lifecycle/signals.js';
export { readTls } from './lifecycle/tls.js';
export { configurationHash } from './lifecycle/config-hash.js';
// Admin API (Kong's DB-less subset) and the shapes `gw diff` / `gw dump` compare and write
export { createAdminApp, type AdminAppOptions } from './admin/admin-app.js';
export { adminListenRefusal, UNAUTHORIZED_MESSAGE } from './admin/auth.js';
export { adminEntities, type AdminEntities } from './admin/entities.js';
export { declarativeConfig } from './admin/declarative.js';
// Cluster (gw start --workers N): the primary and its workers
export { createPrimary, type Primary, type PrimaryOptions } from './cluster/primary.js';
export { runWorker, type WorkerOptions } from './cluster/worker.js';
