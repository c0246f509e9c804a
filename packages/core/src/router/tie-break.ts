/**
 * Kong's order for entries of equal priority (traditional_compatible): the ATC router keeps its
 * matchers in a map keyed by (priority, route id) and tries them from the highest key down, so a tie
 * goes to the greater route id, compared as UUID bytes. A route split by path group
 * (`compile.ts`) gets one id per group, a UUIDv5 of `<route id>#<group number>`, as Kong's
 * `split_routes_and_services_by_path` does. `created_at` plays no part.
 *
 * Routes whose id the file does not declare (the common decK case: Kong would give them random ids)
 * have no Kong order to follow; gw puts them after the declared ones: first those whose every host
 * names a port (`example.com:8443` before `example.com`, which Kong's own tests expect and its ids
 * happen to give), then file order.
 */
import { createHash } from 'node:crypto';

/** Kong's namespace for split-route ids (`kong/router/transform.lua`). */
const SPLIT_NAMESPACE = Buffer.from('7f145bf90dce4f9198ebdebbce4b9f6b', 'hex');

function uuidV5(namespace: Buffer, name: string): string {
  const b = createHash('sha1').update(namespace).update(name, 'utf8').digest().subarray(0, 16);
  b[6] = (b[6] & 0x0f) | 0x50;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = b.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The id Kong's router files an entry under: the route id, or a derived one for a split route. */
export function matcherId(routeId: string, group: number, groups: number): string {
  return groups > 1 ? uuidV5(SPLIT_NAMESPACE, `${routeId}#${group + 1}`) : routeId;
}

export interface TieKey {
  /** Kong's matcher id, when the route's id was declared. */
  id: string | undefined;
  /** Every host of the route names a port. */
  portSpecific: boolean;
  /** Position in the file (routes, then path groups). */
  order: number;
}

/** Negative when `a` is tried first. */
export function compareTie(a: TieKey, b: TieKey): number {
  if (a.id !== undefined && b.id !== undefined) {
    const x = a.id.toLowerCase();
    const y = b.id.toLowerCase();
    if (x !== y) return x < y ? 1 : -1;
    return a.order - b.order;
  }
  if (a.id !== undefined) return -1;
  if (b.id !== undefined) return 1;
  if (a.portSpecific !== b.portSpecific) return a.portSpecific ? -1 : 1;
  return a.order - b.order;
}
