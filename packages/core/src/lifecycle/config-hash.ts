/**
 * Kong's configuration_hash: 32 hex digits that are the same for the same configuration on every node and
 * across reloads, so `POST /config?check_hash=1` can answer 304 and `gw diff` can tell "nothing changed"
 * from "something it cannot show changed" (a secret). What only says when or where a config was loaded
 * (created_at / updated_at filled from the clock, an entity's file:line) is left out.
 */
import { createHash } from 'node:crypto';
import type { GatewayConfig } from '../config/model.js';

/** An entity without the fields that say when or where it was loaded (entity level only: a plugin's config may have a `location`). */
function stable<T extends object>(entity: T): Partial<T> {
  const { created_at: _c, updated_at: _u, location: _l, ...rest } = entity as T & { created_at?: unknown; updated_at?: unknown; location?: unknown };
  return rest as Partial<T>;
}

export function configurationHash(config: GatewayConfig): string {
  const hash = createHash('sha256').update(
    JSON.stringify({
      services: config.services.map(stable),
      routes: config.routes.map(stable),
      plugins: config.plugins.map(stable),
      consumers: config.consumers.map(stable),
    }),
  );
  // A certificate rotated under the same id is a different configuration too.
  if (config.upstreamTls.size > 0) hash.update(JSON.stringify([...config.upstreamTls]));
  return hash.digest('hex').slice(0, 32);
}
