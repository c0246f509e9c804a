/** Why the way through the proxy could not be opened. Safe to show: names the proxy without credentials. */
import type { ProxyServer } from './settings.js';

export type ProxyFailureReason = 'unreachable' | 'refused' | 'timeout' | 'closed';

export class ProxyFailure extends Error {
  readonly reason: ProxyFailureReason;
  /** The system error code (ECONNREFUSED, ENOTFOUND, …) or `PROXY_STATUS_<n>` for a refused CONNECT. */
  readonly code: string;
  /** The proxy's status for a refused CONNECT (407, 403, 502, …). */
  readonly status: number | undefined;
  readonly proxy: string;
  /** What went wrong, without the proxy's address (for a client's error message). */
  readonly detail: string;
  constructor(server: ProxyServer, reason: ProxyFailureReason, code: string, status?: number) {
    const detail = describeReason(reason, code, status);
    super(`${detail} (proxy ${server.display} from ${server.variable})`);
    this.detail = detail;
    this.name = 'ProxyFailure';
    this.reason = reason;
    this.code = code;
    this.status = status;
    this.proxy = server.display;
  }
}

function describeReason(reason: ProxyFailureReason, code: string, status: number | undefined): string {
  switch (reason) {
    case 'refused':
      return `the proxy refused the tunnel: CONNECT answered ${status ?? '?'}${status === 407 ? ' (proxy authentication failed)' : ''}`;
    case 'timeout':
      return 'the proxy did not answer in time';
    case 'closed':
      return 'the proxy closed the connection before the tunnel was open';
    case 'unreachable':
      return `the proxy is unreachable (${code})`;
  }
}

/** A ProxyFailure from whatever opening the way through `server` threw (hpagent's errors, system errors). */
export function toProxyFailure(server: ProxyServer, err: unknown): ProxyFailure {
  if (err instanceof ProxyFailure) return err;
  const message = err instanceof Error ? err.message : '';
  const status = /^Bad response: (\d{3})$/.exec(message);
  if (status !== null) return new ProxyFailure(server, 'refused', `PROXY_STATUS_${status[1]}`, Number(status[1]));
  if (message === 'Proxy timeout') return new ProxyFailure(server, 'timeout', 'ETIMEDOUT');
  const code = (err as { code?: unknown }).code;
  if (code === 'ECONNRESET' || code === 'EPIPE' || message === 'socket hang up') return new ProxyFailure(server, 'closed', typeof code === 'string' ? code : 'ECONNRESET');
  return new ProxyFailure(server, 'unreachable', typeof code === 'string' ? code : 'error');
}
