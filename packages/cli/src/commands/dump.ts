/**
 * `gw dump --admin URL -o FILE`: the running config as a decK file (`deck gateway dump`). The admin API
 * never shows a secret; each one it redacted is written as a decK environment reference
 * (`${{ env "DECK_…" }}`), so the file is valid, and `gw sync` of it refuses to run until the secret is
 * supplied instead of replacing it with a placeholder.
 */
import { writeFile } from 'node:fs/promises';
import yaml from 'js-yaml';
import { REDACTED } from '@gw/core';
import { adminClient } from '../admin/client.js';
import { err, out, plural } from '../output.js';

export interface DumpOptions {
  admin: string;
  adminToken?: string;
  output: string;
  yes?: boolean;
}

type Json = Record<string, unknown>;
const isRecord = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

export async function runDump(opts: DumpOptions): Promise<number> {
  const client = adminClient(opts.admin, opts.adminToken);
  const answer = await client.get('/config');
  if (typeof answer.config !== 'string') {
    err(`gw: error: GET ${client.url}/config did not answer {"config": "<YAML>"}`);
    return 1;
  }
  const doc = yaml.load(answer.config);
  const variables = secretsAsEnv(doc);
  const text = `${yaml.dump(doc, { noRefs: true, lineWidth: -1 })}`;
  if (opts.output === '-') process.stdout.write(text);
  else await writeFile(opts.output, text, { flag: opts.yes ? 'w' : 'wx' }).catch((error: NodeJS.ErrnoException) => {
    throw error.code === 'EEXIST' ? new Error(`${opts.output} exists: pass --yes to overwrite it`) : error;
  });
  if (opts.output !== '-') out(`wrote ${opts.output} from ${client.url}`);
  if (variables.length > 0) {
    err(`${plural(variables.length, 'secret')} redacted by the admin API, written as environment references; set them before gw sync: ${variables.join(', ')}`);
  }
  return 0;
}

/** Replaces each REDACTED value by `${{ env "DECK_…" }}`, named after where it is; returns the names. */
function secretsAsEnv(doc: unknown): string[] {
  const used = new Set<string>();
  const name = (labels: string[]) => {
    const base = `DECK_${labels.join('_')}`.toUpperCase().replace(/[^A-Z0-9_]+/g, '_').replace(/_+/g, '_').replace(/_$/, '');
    let candidate = base;
    for (let i = 2; used.has(candidate); i++) candidate = `${base}_${i}`;
    used.add(candidate);
    return candidate;
  };
  const visit = (node: unknown, labels: string[]): unknown => {
    if (node === REDACTED) return `\${{ env "${name(labels)}" }}`;
    if (isRecord(node)) {
      for (const [k, v] of Object.entries(node)) {
        // An entity is labelled by its name; `config` says nothing its plugin's name doesn't.
        if (Array.isArray(v)) node[k] = v.map((item, i) => visit(item, [...labels, isRecord(item) ? labelOf(item, k, i) : k]));
        else node[k] = visit(v, k === 'config' ? labels : [...labels, k]);
      }
    }
    return node;
  };
  visit(doc, []);
  return [...used];
}

function labelOf(entity: Json, list: string, index: number): string {
  for (const field of ['name', 'username', 'custom_id']) if (typeof entity[field] === 'string') return entity[field];
  return `${list}_${index + 1}`;
}
