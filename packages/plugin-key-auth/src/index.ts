export { default, keyAuth, type KeyAuthState, type KeyAuthLocal } from './plugin.js';
export { configSchema, validateConfig, anonymousOf, wwwAuthenticate, KEY_IN_BODY_UNSUPPORTED, IDENTITY_REALMS_UNSUPPORTED, PRINCIPALS_UNSUPPORTED, type KeyAuthConfig } from './config.js';
export { compileKeyNames, findKey, type KeyName, type KeySearch, type SearchOptions } from './find-key.js';
export { lookupKey, lookupConsumer, type CredentialMatch } from './lookup.js';
export { setConsumerHeaders, CONSUMER_HEADERS } from './consumer-headers.js';
export { queryValues, removeQueryArg, redactQueryArgs, redactUri, decodeComponent, REDACTED } from './query.js';
