export { loadConfig, readConfigTexts, summarize } from './load.js';
export type { ConfigText, LoadOptions, LoadResult, LoadedSecrets } from './load.js';
export { formatProblem } from './model.js';
export type { GatewayConfig, PluginEntity, SourceLocation, ConfigProblem, ConsumerWithCredentials } from './model.js';
export { stableId } from './ids.js';
