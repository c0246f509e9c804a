/**
 * consistent-hashing: a ring of `slots` points shared by the targets in proportion to their weights; a key
 * hashes to a point and takes the next target clockwise, then the following distinct ones for failover.
 * The same key reaches the same target while the target set is the same; a target that sits out moves
 * only its own keys.
 */
export interface Ring {
  /** Sorted point hashes and the target each belongs to. */
  points: Uint32Array;
  owners: Uint16Array;
}

/** FNV-1a, 32 bits: cheap, and spreads short keys well enough for a ring. */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  // Avalanche the last bytes (FNV alone leaves close keys close).
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h >>> 0;
}

export function buildRing(weights: readonly number[], slots: number): Ring {
  const total = weights.reduce((a, b) => a + b, 0);
  const entries: Array<[number, number]> = [];
  weights.forEach((weight, target) => {
    const count = Math.max(1, Math.round((slots * weight) / total));
    for (let p = 0; p < count; p++) entries.push([hash32(`${target}-${p}`), target]);
  });
  entries.sort((a, b) => a[0] - b[0]);
  return { points: Uint32Array.from(entries, (e) => e[0]), owners: Uint16Array.from(entries, (e) => e[1]) };
}

/** The candidates in the order the ring meets them from the key's point. */
export function ringOrder(ring: Ring, key: string, candidates: readonly number[]): number[] {
  const h = hash32(key);
  let lo = 0;
  let hi = ring.points.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ring.points[mid]! < h) lo = mid + 1;
    else hi = mid;
  }
  const wanted = new Set(candidates);
  const order: number[] = [];
  for (let n = 0; n < ring.points.length && order.length < wanted.size; n++) {
    const owner = ring.owners[(lo + n) % ring.points.length]!;
    if (wanted.has(owner) && !order.includes(owner)) order.push(owner);
  }
  return order;
}
