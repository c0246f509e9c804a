/** Consumer lookups key-auth needs; both are O(1) maps core builds once per config load. */
import type { ConsumerEntity, RequestContext } from '@gw/plugin-api';

export interface CredentialMatch {
  consumer: ConsumerEntity;
  /** The keyauth_credential's id: Kong's `authenticated_entity.id` and `x-credential-identifier`. */
  credentialId: string;
}

export function lookupKey(ctx: RequestContext, key: string): CredentialMatch | undefined {
  return ctx.findCredentialByKey(key);
}

/** `anonymous` names a consumer by id or username (Kong's `kong.client.load_consumer(x, true)`). */
export function lookupConsumer(ctx: RequestContext, idOrUsername: string): ConsumerEntity | undefined {
  return ctx.findConsumer(idOrUsername);
}
