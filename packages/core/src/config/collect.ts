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
  nestedUnder?: { kind: 'service' | 'route' | 'consumer'; index: number };
}

export interface Collected {
  services: Entity[];
  routes: RouteItem[];
  consumers: Entity[];
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
  const out: Collected = { services: [], routes: [], consumers: [], plugins: [], certificates: [], caCertificates: [] };
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
    plugins(doc.plugins, { fileIndex, path: [] });
    for (const [raw, i] of records(doc.certificates)) out.certificates.push({ raw, origin: { fileIndex, path: ['certificates', i] } });
    for (const [raw, i] of records(doc.ca_certificates)) out.caCertificates.push({ raw, origin: { fileIndex, path: ['ca_certificates', i] } });
  });
  return out;
}
