export { startBedrockEmulator, DEFAULT_CREDENTIALS } from './server.js';
export type { Emulator, EmulatorOptions, ReceivedRequest } from './server.js';
export { SCENARIOS } from './scenarios.js';
export type { Scenario, ScenarioName } from './scenarios.js';
export { decodeEventStream, encodeChunk, encodeException } from './eventstream.js';
export type { DecodedMessage } from './eventstream.js';
export { verifySigV4 } from './sigv4.js';
export type { Credentials, VerifyResult } from './sigv4.js';
export { validateAnthropicBody, ACCEPTED_BETAS, ANTHROPIC_VERSION } from './validate.js';
