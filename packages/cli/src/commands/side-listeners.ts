/**
 * The status listener and the admin API, bound the same way by a single process (start.ts) and by a
 * cluster's primary (start-cluster.ts): the status app, then the admin app over the lifecycle, each
 * address printed and recorded under Kong's kong.conf names for the admin API's GET /.
 */
import { createAdminApp, type AdminAppOptions } from '@gw/core';
import { out } from '../output.js';
import type { ListenAddress } from './start.js';

type Address = { host: string; port: number };
type Fetch = (request: Request) => Response | Promise<Response>;

/** What serves the listeners: a gateway, or a cluster's primary. */
export interface ListenerHost {
  status(request: Request): Response | Promise<Response>;
  listenStatus(port: number, host: string): Promise<Address>;
  listenAdmin(port: number, host: string, fetch: Fetch): Promise<Address>;
}

export interface SideListenOptions {
  statusListen?: ListenAddress;
  adminListen?: ListenAddress;
  /** The admin app's settings, less what this function supplies. */
  admin: Omit<AdminAppOptions, 'status' | 'configuration'>;
  /** Kong's names for the addresses bound (proxy_listen already filled in); status_listen and admin_listen are added here. */
  listening: Record<string, string[]>;
}

export async function listenSideApis(host: ListenerHost, { statusListen, adminListen, admin, listening }: SideListenOptions): Promise<void> {
  if (statusListen) {
    const status = await host.listenStatus(statusListen.port, statusListen.host ?? '127.0.0.1');
    out(`gw status on ${url(status)}/status`);
    (listening.status_listen ??= []).push(hostPort(status));
  }
  if (adminListen) {
    const app = createAdminApp({ ...admin, status: { fetch: (request) => host.status(request) }, configuration: listening });
    const bound = await host.listenAdmin(adminListen.port, adminListen.host ?? '127.0.0.1', app.fetch);
    out(`gw admin API on ${url(bound)}`);
    (listening.admin_listen ??= []).push(hostPort(bound));
  }
}

export function hostPort(address: Address): string {
  return `${address.host.includes(':') ? `[${address.host}]` : address.host}:${address.port}`;
}

export function url(address: Address, scheme = 'http'): string {
  return `${scheme}://${hostPort(address)}`;
}
