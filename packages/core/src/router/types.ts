import type { RouteEntity, ServiceEntity } from '@gw/plugin-api';

export type RequestHeaders = Readonly<Record<string, string | string[] | undefined>>;

export interface MatchInput {
  method: string;
  /** Host header without port, lower-case. */
  host: string;
  /** Port from the Host header, or the listener's port when the header has none. */
  port: number;
  /** Normalized with `normalizePath`, without the query string. */
  path: string;
  /**
   * Request headers, each repeated line its own value (Node's `headersDistinct`), or a function giving
   * them, called only when a candidate route has header conditions.
   */
  headers: RequestHeaders | (() => RequestHeaders);
  scheme: 'http' | 'https';
  /** TLS SNI, for routes with `snis`; defaults to `host`. */
  sni?: string;
}

export interface RouteMatch {
  route: RouteEntity;
  service: ServiceEntity | null;
  /** Regex captures: numbered ('0' is the whole match) and named; unmatched optional groups are absent. */
  uriCaptures: Record<string, string>;
  /** The matching prefix path, or the text a regex path matched; undefined for routes without paths. */
  matchedPath: string | undefined;
  /** Path to send upstream: service path joined per path_handling and strip_path (no query string). */
  upstreamPath: string;
}

export interface Router {
  match(input: MatchInput): RouteMatch | null;
  /** Number of routes. */
  readonly size: number;
  /** Debug/test aid: the routes the index hands to the matcher for this request, in evaluation order. */
  candidatesFor(input: MatchInput): readonly RouteEntity[];
}
