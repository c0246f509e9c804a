/**
 * Settings for the property-based tests (fast-check, docs/decisions/0014-fast-check.md): a fixed seed so a
 * failure reproduces, overridable to explore (`GW_FUZZ_SEED=…`), and run counts sized so each property takes
 * well under a few seconds here (`GW_FUZZ_RUNS=…` sets every property's count, e.g. for a long local run).
 */
import type { Parameters } from 'fast-check';

export function fuzz(numRuns: number): Parameters<unknown> {
  const seed = Number(process.env.GW_FUZZ_SEED ?? 20260613);
  const runs = process.env.GW_FUZZ_RUNS === undefined ? numRuns : Number(process.env.GW_FUZZ_RUNS);
  return { seed, numRuns: runs, endOnFailure: true };
}
