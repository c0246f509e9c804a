/**
 * Who a request counts against: Kong's `limit_by` (rate-limiting) and `identifier`
 * (ai-rate-limiting-advanced). As in Kong, an identifier the request doesn't have (no consumer, a missing
 * header, another path) falls back to the client's IP address.
 */
import type { RequestContext } from '@gw/plugin-api';

export const IDENTIFIERS = ['consumer', 'credential', 'ip', 'service', 'header', 'path', 'consumer-group'] as const;
export type IdentifierKind = (typeof IDENTIFIERS)[number];

export interface IdentifierOptions {
  kind: IdentifierKind;
  /** `header`: the header's name. */
  headerName?: string | null | undefined;
  /** `path`: the one path counted by itself. */
  path?: string | null | undefined;
  /** `consumer-group`: the group the plugin instance is scoped to (a consumer may be in several). */
  consumerGroup?: string | null | undefined;
}

export function identify(ctx: RequestContext, o: IdentifierOptions): string {
  let id: string | undefined;
  switch (o.kind) {
    case 'consumer':
      id = ctx.consumer?.id ?? ctx.credential?.id;
      break;
    case 'credential':
      id = ctx.credential?.id;
      break;
    case 'service':
      id = ctx.service?.id;
      break;
    case 'header':
      id = o.headerName ? firstValue(ctx.request.headers[o.headerName.toLowerCase()]) : undefined;
      break;
    case 'path':
      id = ctx.request.path === o.path ? o.path : undefined;
      break;
    case 'consumer-group':
      // Only members reach an instance scoped to a group.
      id = o.consumerGroup ?? undefined;
      break;
    case 'ip':
      break;
  }
  return id === undefined || id === '' ? ctx.request.clientIp : id;
}

function firstValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}
