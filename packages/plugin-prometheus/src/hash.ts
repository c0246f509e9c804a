/** Kong's config_hash_to_number: the hex hash read as one (rounded) number, equal wherever the hash is. */
export function hashNumber(hash: string): number {
  return /^[0-9a-f]+$/i.test(hash) ? Number(BigInt(`0x${hash}`)) : 0;
}
