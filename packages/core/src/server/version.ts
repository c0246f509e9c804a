import { createRequire } from 'node:module';

/** gw's version (packages/core/package.json; same relative path from src/ and dist/). */
export const GW_VERSION: string = (createRequire(import.meta.url)('../../package.json') as { version: string }).version;

/** The Via / Server token, like Kong's `1.1 kong/3.10.0`. */
export const VIA = `1.1 gw/${GW_VERSION}`;
export const SERVER = `gw/${GW_VERSION}`;
