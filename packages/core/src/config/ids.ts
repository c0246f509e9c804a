/**
 * Stable entity ids: a UUIDv5 (RFC 9562 §5.5, SHA-1 name-based) of `kind:name` in a gw namespace, the way
 * Kong derives declarative ids from names. The same config always yields the same ids, so logs and
 * metrics keyed by id survive reloads.
 */
import { createHash } from 'node:crypto';

/** Namespace UUID for gw entity ids (random, fixed forever). */
const GW_NAMESPACE = Buffer.from('6f1d2c4e8b3a4f0e9d7c5b1a2e3f4a5b', 'hex');

export function stableId(kind: string, name: string): string {
  const hash = createHash('sha1').update(GW_NAMESPACE).update(`${kind}:${name}`, 'utf8').digest();
  const b = hash.subarray(0, 16);
  b[6] = (b[6] & 0x0f) | 0x50; // version 5
  b[8] = (b[8] & 0x3f) | 0x80; // RFC variant
  const hex = b.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
