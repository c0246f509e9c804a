export { PERIODS, periodWindow, secondsUntil, type Period } from './periods.js';
export { windowAt, estimate, msUntilRoom, type Window, type WindowType } from './windows.js';
export { LocalCounters, localCounters } from './local-counters.js';
export { localStore, hitLocally, StoreUnavailable, type CounterStore, type CounterKey, type HitEntry, type HitResult } from './store.js';
export { redisStore, type RedisStoreOptions } from './redis-store.js';
export { syncedStore, type SyncedStoreOptions } from './synced-store.js';
export { acquireConnection, redisOptions, type RedisTarget, type SharedConnection } from './redis/connection.js';
export { identify, IDENTIFIERS, type IdentifierKind, type IdentifierOptions } from './identifier.js';
export { rfc3339, headerAmount, retryAfterSeconds } from './client-headers.js';
