/**
 * Kong's declarative format (what DB-less `POST /config` takes) allows `_comment` (a string) and `_ignore`
 * (an array) at the top of the file and at the top of any entity, for the author's notes; Kong drops them.
 * decK files don't have them, so only a posted config gets here.
 */
import { isRecord } from './collect.js';
import type { Report } from './collect.js';
import type { PathSegment } from './yaml.js';

/** Entity lists, and the entity lists nested in an entity of each (as decK writes them). */
export const NESTED_ENTITIES: Readonly<Record<string, readonly string[]>> = {
  services: ['routes', 'plugins'],
  routes: ['plugins'],
  consumers: ['plugins', 'keyauth_credentials'],
  plugins: [],
  keyauth_credentials: [],
  certificates: ['snis'],
  snis: [],
  ca_certificates: [],
  vaults: [],
};

export function dropKongAnnotations(doc: Record<string, unknown>, fileIndex: number, report: Report): void {
  const drop = (entity: Record<string, unknown>, path: PathSegment[]) => {
    if ('_comment' in entity) {
      if (typeof entity._comment !== 'string') report({ fileIndex, path }, ['_comment'], 'expected a string');
      delete entity._comment;
    }
    if ('_ignore' in entity) {
      if (!Array.isArray(entity._ignore)) report({ fileIndex, path }, ['_ignore'], 'expected an array');
      delete entity._ignore;
    }
  };
  const walk = (list: unknown, kind: string, path: PathSegment[]) => {
    if (!Array.isArray(list)) return;
    list.forEach((entity, i) => {
      if (!isRecord(entity)) return;
      const at = [...path, i];
      drop(entity, at);
      for (const child of NESTED_ENTITIES[kind] ?? []) walk(entity[child], child, [...at, child]);
    });
  };
  drop(doc, []);
  for (const kind of Object.keys(NESTED_ENTITIES)) walk(doc[kind], kind, [kind]);
}
