import { describe, expect, it } from 'vitest';
import type { RouteEntity } from '@gw/plugin-api';
import { createRouter, type MatchInput } from '../../src/router/index.js';
import { compileEntries } from '../../src/router/entries.js';
import { firstMatch } from '../../src/router/first-match.js';
import { req, route, service } from './helpers.js';

// The candidate index must never change the outcome: compare it with a scan of every entry in order.

function prng(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s / 2 ** 31;
  };
}

const SEGMENTS = ['a', 'ab', 'abc', 'v1', 'v10', 'x'];
const HOSTS = ['h1.test', 'h2.test', 'sub.h1.test', 'h1.other'];

function randomRoutes(rand: () => number, n: number): RouteEntity[] {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)];
  const path = () => {
    const r = rand();
    if (r < 0.15) return `~/${pick(SEGMENTS)}/(?<n>\\d+)`;
    if (r < 0.2) return `~/${pick(SEGMENTS)}?[0-9]+`;
    if (r < 0.25) return `~/${pick(SEGMENTS)}/?`;
    if (r < 0.3) return `/${pick(SEGMENTS)}`.slice(0, 2 + Math.floor(rand() * 2));
    return `/${pick(SEGMENTS)}${rand() < 0.5 ? '/' + pick(SEGMENTS) : ''}${rand() < 0.3 ? '/' : ''}`;
  };
  return Array.from({ length: n }, (_, i) => {
    const fields: Partial<RouteEntity> = { regex_priority: Math.floor(rand() * 3) };
    if (rand() < 0.9) fields.paths = Array.from({ length: 1 + Math.floor(rand() * 2) }, path);
    if (rand() < 0.4) fields.hosts = [rand() < 0.3 ? pick(['*.h1.test', 'h1.*']) : pick(HOSTS)];
    if (rand() < 0.3) fields.methods = [pick(['GET', 'POST'])];
    if (rand() < 0.15) fields.headers = { 'x-k': [pick(['1', '2'])] };
    // Path-less routes are kept narrow so that some requests match nothing.
    if (!fields.paths) fields.headers = { 'x-k': ['3'] };
    return route({ name: `r${i}`, created_at: Math.floor(rand() * 3), ...fields });
  });
}

function randomRequest(rand: () => number): MatchInput {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)];
  const depth = Math.floor(rand() * 4);
  const segs = Array.from({ length: depth }, () =>
    rand() < 0.2 ? String(Math.floor(rand() * 100)) : pick(SEGMENTS) + (rand() < 0.2 ? '7' : ''),
  );
  return req({
    method: pick(['GET', 'POST']),
    host: pick(HOSTS),
    path: '/' + segs.join('/') + (rand() < 0.2 ? '/' : ''),
    headers: rand() < 0.3 ? { 'x-k': pick(['1', '2', '3']) } : {},
  });
}

describe('candidate index equivalence', () => {
  it.each([1, 2, 3, 4, 5])('seed %i: indexed match equals a full scan', (seed) => {
    const rand = prng(seed);
    const routes = randomRoutes(rand, 120);
    const services = [service({ path: '/up' })];
    const router = createRouter({ routes, services });
    const entries = compileEntries(routes, services);
    let matched = 0;
    for (let i = 0; i < 400; i++) {
      const input = randomRequest(rand);
      const expected = firstMatch(entries, input);
      expect(router.match(input), JSON.stringify(input)).toEqual(expected);
      if (expected) matched++;
    }
    // The generator must exercise both outcomes for the comparison to mean something.
    expect(matched).toBeGreaterThan(50);
    expect(matched).toBeLessThan(400);
  });
});
