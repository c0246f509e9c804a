/** The consumers of one config, indexed for the plugin context's lookups (plugin-context.ts). */
import type { ConsumerEntity, ConsumerGroupEntity } from '@gw/plugin-api';
import type { ConsumerWithCredentials } from '../config/model.js';

/** Key-auth credential lookup for `ctx.findConsumerByKey`, built once per config. */
export interface ConsumerIndex {
  byKey: ReadonlyMap<string, { consumer: ConsumerEntity; credentialId: string }>;
  byIdOrName: ReadonlyMap<string, ConsumerEntity>;
  /** Each consumer's groups, sorted by name (consumers in no group are absent). */
  groups: ReadonlyMap<string, readonly ConsumerGroupEntity[]>;
}

export function createConsumerIndex(consumers: readonly ConsumerWithCredentials[]): ConsumerIndex {
  const byKey = new Map<string, { consumer: ConsumerEntity; credentialId: string }>();
  const byIdOrName = new Map<string, ConsumerEntity>();
  const groups = new Map<string, readonly ConsumerGroupEntity[]>();
  for (const c of consumers) {
    const { keyauth_credentials: creds, consumer_groups: memberOf, ...consumer } = c;
    for (const cred of creds ?? []) byKey.set(cred.key, { consumer, credentialId: cred.id });
    byIdOrName.set(consumer.id, consumer);
    if (memberOf !== undefined && memberOf.length > 0) groups.set(consumer.id, Object.freeze([...memberOf]));
  }
  for (const c of byIdOrName.values()) if (c.username !== undefined && !byIdOrName.has(c.username)) byIdOrName.set(c.username, c);
  return { byKey, byIdOrName, groups };
}
