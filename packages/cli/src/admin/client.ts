/** Talking to a running gw's admin API (`--admin URL`): Kong's DB-less endpoints, the token in Kong-Admin-Token. */
import type { AdminEntities } from '@gw/core';

type Json = Record<string, unknown>;

export class AdminError extends Error {}

export interface AdminClient {
  readonly url: string;
  get(path: string): Promise<Json>;
  /** Every page of a collection (`{data, next}`). */
  all(collection: string): Promise<Json[]>;
  /** POST /config with a JSON body; the status and the parsed body (none for 304). */
  postConfig(body: string, query: string): Promise<{ status: number; body: Json | undefined }>;
}

export function adminClient(base: string, token: string | undefined): AdminClient {
  let root: URL;
  try {
    root = new URL(base.endsWith('/') ? base : `${base}/`);
  } catch {
    throw new AdminError(`--admin must be a URL such as http://127.0.0.1:8001, got '${base}'`);
  }
  if (root.protocol !== 'http:' && root.protocol !== 'https:') throw new AdminError(`--admin must be an http(s) URL, got '${base}'`);
  const headers: Record<string, string> = token ? { 'kong-admin-token': token } : {};
  const shown = root.origin + root.pathname.replace(/\/$/, '');

  const request = async (path: string, init: RequestInit = {}): Promise<Response> => {
    let response: Response;
    try {
      response = await fetch(new URL(path.replace(/^\//, ''), root), { ...init, headers: { ...headers, ...(init.headers as Record<string, string> | undefined) }, redirect: 'error' });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new AdminError(`cannot reach the admin API at ${shown}: ${cause?.code ?? cause?.message ?? (error as Error).message}`);
    }
    if (response.status === 401) {
      await response.body?.cancel();
      throw new AdminError(`the admin API at ${shown} wants a token (401): pass --admin-token or set GW_ADMIN_TOKEN${token ? ' (the one given was refused)' : ''}`);
    }
    return response;
  };
  const json = async (response: Response, what: string): Promise<Json> => {
    const text = await response.text();
    try {
      return JSON.parse(text) as Json;
    } catch {
      throw new AdminError(`${what}: the admin API answered ${response.status} with a body that is not JSON`);
    }
  };

  return {
    url: shown,
    async get(path) {
      const response = await request(path);
      const body = await json(response, `GET ${path}`);
      if (!response.ok) throw new AdminError(`GET ${path}: ${response.status} ${typeof body.message === 'string' ? body.message : ''}`.trim());
      return body;
    },
    async all(collection) {
      const out: Json[] = [];
      let next: string | null = `/${collection}?size=1000`;
      while (next) {
        const page: Json = await this.get(next);
        if (!Array.isArray(page.data)) throw new AdminError(`GET /${collection}: not a Kong list ({data, next})`);
        out.push(...(page.data as Json[]));
        next = typeof page.next === 'string' ? page.next : null;
      }
      return out;
    },
    async postConfig(body, query) {
      const response = await request(`/config${query}`, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
      if (response.status === 304) return { status: 304, body: undefined };
      return { status: response.status, body: await json(response, 'POST /config') };
    },
  };
}

/** The running gw's entities, in the shapes adminEntities gives for a local file. */
export async function remoteEntities(client: AdminClient): Promise<AdminEntities> {
  const [services, routes, consumers, plugins, keyAuths, groups] = await Promise.all(
    ['services', 'routes', 'consumers', 'plugins', 'key-auths', 'consumer_groups'].map((c) => client.all(c)),
  );
  return { services, routes, consumers, plugins, 'key-auths': keyAuths, consumer_groups: groups };
}
