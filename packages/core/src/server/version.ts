import { packageVersion } from '@gw/plugin-api';

/** gw's version: @gw/core's package.json. */
export const GW_VERSION: string = packageVersion(import.meta.url);

/** The Via / Server token, like Kong's `1.1 kong/3.10.0`. */
export const VIA = `1.1 gw/${GW_VERSION}`;
export const SERVER = `gw/${GW_VERSION}`;
