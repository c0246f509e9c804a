/**
 * Flatten the (already schema-checked) documents into entity lists that remember where each entity was
 * declared and which entity it was nested under. Defensive about types: schema problems were reported
 * already, and every later check still runs so that all problems surface at once.
 */
import type { PathSegment } from './yaml.js';

export interface Origin {
  fileIndex: number;
  path: PathSegment[];
}

export interface Entity {
  raw: Record<string, unknown>;
  origin: Origin;
}

export interface RouteItem extends Entity {
  /** Index into `services` when nested under a service. */
  parentService?: number;
}

export interface PluginItem extends Entity {
  nestedUnder?: { kind: 'service' | 'route' | 'consumer' | 'consumer_group'; index: number };
}

/** A consumer named in a consumer group's `consumers` list: a member, or (decK) a consumer of its own. */
export interface GroupMemberItem extends Entity {
  group: number;
}

export interface Collected {
  services: Entity[];
  routes: RouteItem[];
  consumers: Entity[];
  consumerGroups: Entity[];
  groupMembers: GroupMemberItem[];
  plugins: PluginItem[];
  certificates: Entity[];
  caCertificates: Entity[];
}

export type Report = (origin: Origin, rel: PathSegment[], message: string, opts?: { key?: boolean; at?: PathSegment[] }) => void;

export function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function records(v: unknown): [Record<string, unknown>, number][] {
  return Array.isArray(v) ? v.flatMap((item, i) => (isRecord(item) ? [[item, i] as [Record<string, unknown>, number]] : [])) : [];
}

export function collectEntities(docs: readonly (Record<string, unknown> | undefined)[]): Collected {
  const out: Collected = { services: [], routes: [], consumers: [], consumerGroups: [], groupMembers: [], plugins: [], certificates: [], caCertificates: [] };
  const plugins = (list: unknown, base: Origin, nestedUnder?: PluginItem['nestedUnder']) => {
    for (const [raw, i] of records(list)) {
      out.plugins.push({ raw, origin: { ...base, path: [...base.path, 'plugins', i] }, nestedUnder });
    }
  };
  const route = (raw: Record<string, unknown>, origin: Origin, parentService?: number) => {
    const index = out.routes.push({ raw, origin, parentService }) - 1;
    plugins(raw.plugins, origin, { kind: 'route', index });
  };
  docs.forEach((doc, fileIndex) => {
    if (!doc) return;
    for (const [raw, i] of records(doc.services)) {
      const origin = { fileIndex, path: ['services', i] };
      const index = out.services.push({ raw, origin }) - 1;
      for (const [r, j] of records(raw.routes)) route(r, { fileIndex, path: ['services', i, 'routes', j] }, index);
      plugins(raw.plugins, origin, { kind: 'service', index });
    }
    for (const [raw, i] of records(doc.routes)) route(raw, { fileIndex, path: ['routes', i] });
    for (const [raw, i] of records(doc.consumers)) {
      const origin = { fileIndex, path: ['consumers', i] };
      const index = out.consumers.push({ raw, origin }) - 1;
      plugins(raw.plugins, origin, { kind: 'consumer', index });
    }
    for (const [raw, i] of records(doc.consumer_groups)) {
      const origin = { fileIndex, path: ['consumer_groups', i] };
      const index = out.consumerGroups.push({ raw, origin }) - 1;
      for (const [m, j] of records(raw.consumers)) out.groupMembers.push({ raw: m, origin: { fileIndex, path: ['consumer_groups', i, 'consumers', j] }, group: index });
      plugins(raw.plugins, origin, { kind: 'consumer_group', index });
    }
    plugins(doc.plugins, { fileIndex, path: [] });
    for (const [raw, i] of records(doc.certificates)) out.certificates.push({ raw, origin: { fileIndex, path: ['certificates', i] } });
    for (const [raw, i] of records(doc.ca_certificates)) out.caCertificates.push({ raw, origin: { fileIndex, path: ['ca_certificates', i] } });
  });
  adoptGroupMembers(out);
  return out;
}

const same = (a: unknown, b: unknown) => typeof a === 'string' && a === b;

/** Is `member` (a group's consumers entry) the consumer `c`: same username, custom_id or id? */
export function isMember(member: Record<string, unknown>, c: Record<string, unknown>): boolean {
  return same(member.id, c.id) || same(member.username, c.username) || same(member.custom_id, c.custom_id);
}

/**
 * decK creates a consumer a group lists when no consumers entry declares it (with no credentials): it
 * joins the consumers here, declared where the group lists it first.
 */
function adoptGroupMembers(out: Collected): void {
  for (const m of out.groupMembers) {
    if (!out.consumers.some((c) => isMember(m.raw, c.raw))) out.consumers.push({ raw: m.raw, origin: m.origin });
  }
}
