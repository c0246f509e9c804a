/**
 * The order in which one request tries the targets it may use: the first is the balancer's choice, the
 * rest its failover order. Every algorithm starts from smooth weighted round-robin (so equal candidates
 * take turns) and then sorts by what it measures; priority and consistent-hashing have their own shape.
 */
import type { Algorithm } from '../config.js';
import { ringOrder, type Ring } from './ring.js';
import type { TargetStats } from './stats.js';

export interface OrderInput {
  algorithm: Algorithm;
  stats: readonly TargetStats[];
  /** Indexes of the targets this request may use (model_alias, circuit breakers), in config order. */
  candidates: readonly number[];
  /** consistent-hashing: the ring and the key (header, consumer or client address). */
  ring?: Ring | undefined;
  hashKey?: string | undefined;
}

export function orderTargets(input: OrderInput): number[] {
  const { algorithm, stats, candidates } = input;
  if (candidates.length <= 1) return [...candidates];
  switch (algorithm) {
    case 'consistent-hashing':
      return input.ring === undefined || input.hashKey === undefined ? roundRobin(stats, candidates) : ringOrder(input.ring, input.hashKey, candidates);
    case 'priority':
      return priority(stats, candidates);
    case 'least-connections':
      return byMeasure(roundRobin(stats, candidates), (i) => (stats[i]!.inflight + 1) / stats[i]!.weight);
    case 'lowest-latency':
      // A target not measured yet goes first, so every target gets measured.
      return byMeasure(roundRobin(stats, candidates), (i) => stats[i]!.latency ?? -1);
    case 'lowest-usage':
      return byMeasure(roundRobin(stats, candidates), (i) => stats[i]!.usage / stats[i]!.weight);
    default:
      return roundRobin(stats, candidates);
  }
}

/**
 * nginx's smooth weighted round-robin: every candidate gains its weight, the highest is picked and pays the
 * total back. The others follow by their running value (the order the next picks would take).
 */
function roundRobin(stats: readonly TargetStats[], candidates: readonly number[]): number[] {
  let total = 0;
  let best = candidates[0]!;
  for (const i of candidates) {
    const s = stats[i]!;
    s.current += s.weight;
    total += s.weight;
    if (s.current > stats[best]!.current) best = i;
  }
  stats[best]!.current -= total;
  const rest = candidates.filter((i) => i !== best).sort((a, b) => stats[b]!.current - stats[a]!.current);
  return [best, ...rest];
}

/** Stable: equal measures keep the round-robin order. */
function byMeasure(order: number[], measure: (i: number) => number): number[] {
  const keyed = order.map((i, at) => ({ i, at, m: measure(i) }));
  keyed.sort((a, b) => a.m - b.m || a.at - b.at);
  return keyed.map((k) => k.i);
}

/** Groups by weight, highest first; round-robin within a group (only the group that answers takes a turn). */
function priority(stats: readonly TargetStats[], candidates: readonly number[]): number[] {
  const weights = [...new Set(candidates.map((i) => stats[i]!.weight))].sort((a, b) => b - a);
  const order: number[] = [];
  weights.forEach((weight, g) => {
    const group = candidates.filter((i) => stats[i]!.weight === weight);
    order.push(...(g === 0 ? roundRobin(stats, group) : group));
  });
  return order;
}
