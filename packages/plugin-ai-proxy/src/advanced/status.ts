/**
 * ai-proxy-advanced in `GET /status` (under `plugins.ai-proxy-advanced`) and as metrics: every instance's
 * targets with their circuit breaker (closed, open until when, half-open), requests in flight and measured
 * latency; failovers by criterion; requests refused because every target sat out.
 */
import type { JsonValue, PluginStatusReport } from '@gw/plugin-api';
import { breakerState } from './breaker.js';
import { tally, type AdvancedState } from './state.js';

export function advancedStatus(now = Date.now()): PluginStatusReport {
  const failovers = Object.fromEntries(tally.failovers);
  const instances: JsonValue[] = [...tally.live].map((state) => instanceStatus(state, now));
  return {
    values: { failovers, unavailable: tally.unavailable, circuits_opened: tally.opened, instances },
    metrics: [
      {
        name: 'gw_ai_failover_total',
        help: 'Upstream tries ai-proxy-advanced failed over to the next target, by the failover criterion the try met',
        type: 'counter',
        samples: [...tally.failovers].map(([criterion, value]) => ({ labels: { criterion }, value })),
      },
      { name: 'gw_ai_circuit_opened_total', help: "Times a target's circuit breaker opened (max_fails reached)", type: 'counter', samples: [{ value: tally.opened }] },
      {
        name: 'gw_ai_targets_unavailable_total',
        help: 'Requests ai-proxy-advanced refused because every target they could use sat out (429/529)',
        type: 'counter',
        samples: [{ value: tally.unavailable }],
      },
      {
        name: 'gw_ai_targets_open',
        help: 'Targets whose circuit breaker is open now',
        type: 'gauge',
        samples: [{ value: [...tally.live].reduce((n, s) => n + s.targets.filter((t) => breakerState(t.breaker, now) === 'open').length, 0) }],
      },
    ],
  };
}

function instanceStatus(state: AdvancedState, now: number): JsonValue {
  return {
    plugin_id: state.pluginId,
    algorithm: state.config.balancer.algorithm,
    targets: state.targets.map((t) => {
      const stats = state.stats[t.index]!;
      const circuit = breakerState(t.breaker, now);
      const row: Record<string, JsonValue> = {
        index: t.index,
        provider: t.config.model.provider,
        model: t.config.model.name ?? null,
        circuit,
        fails: t.breaker.fails,
        opened: t.breaker.opened,
        in_flight: stats.inflight,
      };
      if (t.description !== undefined) row.description = t.description;
      if (circuit === 'open') row.open_until = new Date(t.breaker.openUntil).toISOString();
      if (t.breaker.lastFailure !== undefined) row.last_failure = t.breaker.lastFailure;
      if (stats.latency !== undefined) row.latency = Math.round(stats.latency * 100) / 100;
      if (state.config.balancer.algorithm === 'lowest-usage') row.usage = stats.usage;
      return row;
    }),
  };
}
