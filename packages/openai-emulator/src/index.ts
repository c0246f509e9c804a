export { startOpenAiEmulator, DEFAULT_API_KEY } from './server.js';
export type { OpenAiEmulator, OpenAiEmulatorOptions, ReceivedRequest } from './server.js';
export type { ScenarioName } from './scenarios.js';
