/**
 * Kong traditional_compatible priority (`kong/router/transform.lua:get_priority`): a tuple compared
 * field by field, higher first. Kong packs it into 64 bits; a tuple keeps negative `regex_priority`
 * values ordered instead of overflowing into the higher fields.
 */
import type { RouteEntity } from '@gw/plugin-api';

/** [match weight, plain-host-only, header count, regex, regex_priority, longest prefix length]. */
export type Priority = readonly [number, number, number, number, number, number];

const MAX_HEADER_COUNT = 255;

interface PriorityInput {
  route: RouteEntity;
  methods: unknown;
  hosts: unknown;
  plainHostsOnly: boolean;
  headers: readonly unknown[];
  snis: unknown;
  prefixes: readonly string[] | undefined;
  regexes: readonly unknown[] | undefined;
}

export function routePriority(e: PriorityInput): Priority {
  const hasPaths = e.prefixes !== undefined || e.regexes !== undefined;
  const weight = [e.methods, e.hosts, e.headers.length > 0 || undefined, e.snis, hasPaths || undefined].filter(
    (f) => f !== undefined,
  ).length;
  const regex = e.regexes !== undefined;
  const prefixLength = e.prefixes ? Math.max(...e.prefixes.map((p) => p.length)) & 0x7ffff : 0;
  return [
    weight,
    e.plainHostsOnly ? 1 : 0,
    Math.min(e.headers.length, MAX_HEADER_COUNT),
    regex ? 1 : 0,
    regex ? e.route.regex_priority : 0,
    prefixLength,
  ];
}

export function comparePriority(a: Priority, b: Priority): number {
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i]) return b[i] - a[i];
  }
  return 0;
}
