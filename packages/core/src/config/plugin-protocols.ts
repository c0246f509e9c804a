/**
 * What a plugin's `protocols` does in Kong 3.x: it selects the *subsystem*, not the request's protocol.
 * runloop/plugins_iterator.lua (should_process_plugin) keeps a plugin when any protocol it lists belongs
 * to the subsystem serving the request (constants.PROTOCOLS_WITH_SUBSYSTEM: http, https, grpc, grpcs →
 * http; tcp, tls, tls_passthrough, udp → stream; Enterprise adds ws, wss → http), and no per-request
 * check follows. gw serves the HTTP subsystem only, so it runs a plugin that lists any HTTP-subsystem
 * protocol on every request of its scope, exactly as Kong does, and warns where `protocols` reads as if
 * it did more.
 */
import type { Collected, Report } from './collect.js';
import type { Resolved } from './references.js';

export const HTTP_SUBSYSTEM: ReadonlySet<string> = new Set(['http', 'https', 'grpc', 'grpcs', 'ws', 'wss']);

/** Kong runs the plugin on HTTP traffic (the only traffic gw serves). */
export function runsOnHttp(protocols: readonly string[]): boolean {
  return protocols.some((p) => HTTP_SUBSYSTEM.has(p));
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/**
 * Warnings for enabled plugins whose `protocols` would mislead: stream-only (never runs), or missing
 * http/https while a route in the plugin's scope accepts it (the plugin runs there anyway).
 */
export function warnPluginProtocols(c: Collected, r: Resolved, warn: Report): void {
  c.plugins.forEach((p, i) => {
    if (p.raw.enabled === false || !Array.isArray(p.raw.protocols)) return;
    const listed = strings(p.raw.protocols);
    if (!runsOnHttp(listed)) {
      warn(p.origin, ['protocols'], `lists only stream protocols (${listed.join(', ')}): Kong runs this plugin on stream routes only, which gw does not serve, so it never runs`);
      return;
    }
    const scope = r.pluginScopes[i];
    const served = new Set<string>();
    c.routes.forEach((route, j) => {
      if (scope.route !== null && r.routeIds[j] !== scope.route) return;
      if (scope.service !== null && r.routeService[j] !== scope.service) return;
      for (const proto of strings(route.raw.protocols)) served.add(proto);
    });
    const unlisted = ['http', 'https'].filter((proto) => served.has(proto) && !listed.includes(proto));
    if (unlisted.length === 0) return;
    warn(
      p.origin,
      ['protocols'],
      `does not list ${unlisted.join(' or ')}, but the plugin still runs on ${unlisted.join(' and ')} requests: Kong picks plugins by subsystem (any of http, https, grpc, grpcs), not by the request's protocol, and gw does the same`,
    );
  });
}
