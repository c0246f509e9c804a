/**
 * The headers Kong's key-auth sends upstream about who is calling. Set or cleared every time, so a client
 * can't pass its own `x-consumer-*` values through an authenticated route.
 */
import type { ConsumerEntity, HeaderMap } from '@gw/plugin-api';

export const CONSUMER_HEADERS = {
  id: 'x-consumer-id',
  customId: 'x-consumer-custom-id',
  username: 'x-consumer-username',
  credential: 'x-credential-identifier',
  anonymous: 'x-anonymous-consumer',
} as const;

function put(headers: HeaderMap, name: string, value: string | undefined): void {
  if (value === undefined) delete headers[name];
  else headers[name] = value;
}

/** `credentialId` undefined with a consumer: the anonymous consumer. */
export function setConsumerHeaders(headers: HeaderMap, consumer: ConsumerEntity | null, credentialId: string | undefined, anonymous: boolean): void {
  put(headers, CONSUMER_HEADERS.id, consumer?.id);
  put(headers, CONSUMER_HEADERS.customId, consumer?.custom_id);
  put(headers, CONSUMER_HEADERS.username, consumer?.username);
  put(headers, CONSUMER_HEADERS.credential, credentialId);
  put(headers, CONSUMER_HEADERS.anonymous, anonymous ? 'true' : undefined);
}
