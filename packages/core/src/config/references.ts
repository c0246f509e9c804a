/**
 * Ids, uniqueness and references across all files: what decK checks when it builds its state
 * (`pkg/file/builder.go`), with decK's `entity not found` wording.
 */
import { isMember, isRecord } from './collect.js';
import type { Collected, Entity, Origin, Report } from './collect.js';
import { stableId } from './ids.js';

export interface Scope {
  service: string | null;
  route: string | null;
  consumer: string | null;
  consumer_group: string | null;
}

export interface Resolved {
  serviceIds: string[];
  routeIds: string[];
  consumerIds: string[];
  consumerGroupIds: string[];
  /** Per consumer, the indexes (into consumerGroups) of the groups it belongs to. */
  memberOf: number[][];
  /** Service id of each route (null: a route without service). */
  routeService: (string | null)[];
  pluginScopes: Scope[];
  pluginIds: string[];
}

type Where = (origin: Origin) => string;

interface Index {
  byId: Map<string, number>;
  byName: Map<string, number>;
}

function entityName(e: Entity, field: string): string | undefined {
  const v = e.raw[field];
  return typeof v === 'string' ? v : undefined;
}

/** Build id/name indexes for one kind, reporting duplicates. */
function indexEntities(kind: string, list: Entity[], nameFields: string[], report: Report, where: Where): { ids: string[]; index: Index } {
  const index: Index = { byId: new Map(), byName: new Map() };
  const ids = list.map((e) => {
    // The first name field is the id's name as is; later ones are qualified (consumer custom_id 'x' ≠ username 'x').
    const field = nameFields.find((f) => entityName(e, f) !== undefined);
    const name = field === undefined ? where(e.origin) : field === nameFields[0] ? entityName(e, field)! : `${field}:${entityName(e, field)!}`;
    return entityName(e, 'id') ?? stableId(kind, name);
  });
  list.forEach((e, i) => {
    const prev = index.byId.get(ids[i]);
    if (prev !== undefined) {
      const explicit = e.raw.id !== undefined;
      const field = explicit ? 'id' : nameFields.find((f) => entityName(e, f) !== undefined) ?? nameFields[0];
      report(e.origin, [field], `duplicate ${kind} ${field} '${entityName(e, field) ?? ''}' (also declared at ${where(list[prev].origin)})`);
    } else index.byId.set(ids[i], i);
    for (const f of nameFields) {
      const n = entityName(e, f);
      if (n === undefined) continue;
      const key = `${f}\u0000${n}`;
      const other = index.byName.get(key);
      if (other !== undefined && prev === undefined) report(e.origin, [f], `duplicate ${kind} ${f} '${n}' (also declared at ${where(list[other].origin)})`);
      else if (other === undefined) index.byName.set(key, i);
    }
  });
  return { ids, index };
}

function lookup(index: Index, nameFields: string[], ref: unknown): number | undefined {
  if (typeof ref === 'string') {
    return index.byId.get(ref) ?? nameFields.map((f) => index.byName.get(`${f}\u0000${ref}`)).find((i) => i !== undefined);
  }
  if (isRecord(ref)) {
    if (typeof ref.id === 'string') return index.byId.get(ref.id);
    if (typeof ref.name === 'string') return lookup(index, nameFields, ref.name);
  }
  return undefined;
}

function refText(ref: unknown): string {
  if (typeof ref === 'string') return ref;
  if (isRecord(ref)) return typeof ref.name === 'string' ? ref.name : typeof ref.id === 'string' ? ref.id : '';
  return '';
}

export function resolveReferences(c: Collected, report: Report, where: Where): Resolved {
  const services = indexEntities('service', c.services, ['name'], report, where);
  const routes = indexEntities('route', c.routes, ['name'], report, where);
  const consumers = indexEntities('consumer', c.consumers, ['username', 'custom_id'], report, where);
  const groups = indexEntities('consumer_group', c.consumerGroups, ['name'], report, where);
  const memberOf = resolveMembership(c, groups.index, report);

  const routeService = c.routes.map((r) => {
    if (r.parentService !== undefined) {
      if (r.raw.service !== undefined) report(r.origin, ['service'], 'a route nested under a service cannot set service', { key: true });
      return services.ids[r.parentService];
    }
    if (r.raw.service === undefined || r.raw.service === null) return null;
    const i = lookup(services.index, ['name'], r.raw.service);
    if (i === undefined) {
      report(r.origin, ['service'], `service ${refText(r.raw.service)} for route ${String(r.raw.name ?? r.raw.id)}: entity not found`);
      return null;
    }
    return services.ids[i];
  });

  const keys = new Map<string, Origin>();
  c.consumers.forEach((consumer) => {
    const creds = consumer.raw.keyauth_credentials;
    if (!Array.isArray(creds)) return;
    creds.forEach((cred, j) => {
      if (!isRecord(cred) || typeof cred.key !== 'string') return;
      const origin = { ...consumer.origin, path: [...consumer.origin.path, 'keyauth_credentials', j] };
      const prev = keys.get(cred.key);
      if (prev) report(origin, ['key'], `duplicate key-auth key (also declared at ${where(prev)})`);
      else keys.set(cred.key, origin);
    });
  });

  const pluginScopes: Scope[] = [];
  const pluginIds: string[] = [];
  const seen = new Map<string, Origin>();
  for (const p of c.plugins) {
    const scope: Scope = { service: null, route: null, consumer: null, consumer_group: null };
    const nested = p.nestedUnder;
    if (nested?.kind === 'service') scope.service = services.ids[nested.index];
    if (nested?.kind === 'route') scope.route = routes.ids[nested.index];
    if (nested?.kind === 'consumer') scope.consumer = consumers.ids[nested.index];
    if (nested?.kind === 'consumer_group') scope.consumer_group = groups.ids[nested.index];
    const kinds = [
      ['service', services, ['name'], 'service'],
      ['route', routes, ['name'], 'route'],
      ['consumer', consumers, ['username', 'custom_id'], 'consumer'],
      ['consumer_group', groups, ['name'], 'consumer-group'],
    ] as const;
    let unresolved = false;
    for (const [kind, table, fields, said] of kinds) {
      const ref = p.raw[kind];
      if (ref === undefined || ref === null || nested?.kind === kind) continue;
      const i = lookup(table.index, [...fields], ref);
      if (i === undefined) {
        report(p.origin, [kind], `${said} ${refText(ref)} for plugin ${String(p.raw.name)}: entity not found`);
        unresolved = true;
      } else scope[kind] = table.ids[i];
    }
    const name = String(p.raw.name);
    // An Enterprise model scope (refused on its own) still tells instances apart: no echo as a duplicate.
    const model = p.raw.model === undefined ? '' : `|model:${refText(p.raw.model)}`;
    // Ids of instances without a consumer group keep the key (and so the id) they had before groups existed.
    const group = scope.consumer_group === null ? '' : `|group:${scope.consumer_group}`;
    const key = `${name}|${scope.service}|${scope.route}|${scope.consumer}${group}${model}`;
    // With a reference missing the scope is unknown: a clash with another instance would be a guess.
    const prev = unresolved ? undefined : seen.get(key);
    if (prev) report(p.origin, ['name'], `plugin '${name}' is configured more than once for the same scope (also declared at ${where(prev)})`);
    else if (!unresolved) seen.set(key, p.origin);
    pluginScopes.push(scope);
    pluginIds.push(typeof p.raw.id === 'string' ? p.raw.id : stableId('plugin', key));
  }
  return {
    serviceIds: services.ids,
    routeIds: routes.ids,
    consumerIds: consumers.ids,
    consumerGroupIds: groups.ids,
    memberOf,
    routeService,
    pluginScopes,
    pluginIds,
  };
}

/**
 * Who belongs to which group: a consumer's `groups` (decK: `consumer-group '<x>' not found for consumer
 * '<y>'` when the group is not declared) and a group's `consumers` list (every entry names a consumer:
 * collect.ts adopted the undeclared ones).
 */
function resolveMembership(c: Collected, groups: Index, report: Report): number[][] {
  const memberOf = c.consumers.map(() => new Set<number>());
  c.consumers.forEach((consumer, i) => {
    const list = consumer.raw.groups;
    if (!Array.isArray(list)) return;
    list.forEach((ref, j) => {
      const g = lookup(groups, ['name'], ref);
      if (g !== undefined) memberOf[i].add(g);
      else {
        const who = [consumer.raw.username, consumer.raw.custom_id, consumer.raw.id].find((x): x is string => typeof x === 'string') ?? '';
        report(consumer.origin, ['groups', j], `consumer-group '${refText(ref)}' not found for consumer '${who}'`);
      }
    });
  });
  for (const m of c.groupMembers) {
    const i = c.consumers.findIndex((consumer) => isMember(m.raw, consumer.raw));
    if (i >= 0) memberOf[i].add(m.group);
  }
  return memberOf.map((set) => [...set]);
}
