import { GatewayError } from '@gw/plugin-api';
import { defaultCatalogue, type Catalogue, type ModelEntry } from '@gw/model-catalogue';
import { globToRegExp } from '../text/glob.js';
import type { ServedModel, UpstreamModels } from '../models/upstream-models.js';

/**
 * Which model the upstream gets (docs/decisions/0004-model-aliases.md, 0027-catalogue-routing.md):
 * 1. the client sent no model → `model.name` (none either → GW_ERR_AI_NO_MODEL);
 * 2. the client's model equals `model.name` → it;
 * 3. `model_aliases`: an exact key first, then the longest matching glob → its value; `reject` refuses,
 *    `catalogue` maps the client's id through the model catalogue (step 5);
 * 4. no alias matched and `model.name` set → GW_ERR_AI_MODEL_MISMATCH (Kong's "cannot use own model");
 * 5. `model.name` unset: the upstream's own ids (Bedrock ids, profiles, ARNs) go through as sent; a
 *    catalogue id or alias (claude-sonnet-4-5, …) becomes the upstream's id for that model (Bedrock: the
 *    inference profile of the region's geography); anything else is GW_ERR_AI_MODEL_NOT_SERVED, naming
 *    the ids the route serves.
 * When `model_aliases` is not configured at all, the default `{"claude-*": <model.name>}` applies, so
 * Claude Code's side calls with first-party ids (claude-haiku-4-5-20251001, …) reach the configured model.
 */

export const REJECT = 'reject';
/** A `model_aliases` value: map the client's id through the catalogue, as a route without `model.name` does. */
export const CATALOGUE = 'catalogue';

export interface AliasRule {
  pattern: string;
  target: string;
  /** Compiled glob; undefined for an exact id. */
  glob: RegExp | undefined;
}

/** What the configuration says about models: the pinned `model.name` and the compiled `model_aliases`. */
export interface RouteModels {
  /** `model.name` (rendered); undefined when unset or empty. */
  pinned: string | undefined;
  aliases: readonly AliasRule[];
}

/** The model a request goes to, and how it was chosen. */
export interface ModelChoice {
  /** The id sent upstream. */
  model: string;
  via: 'pinned' | 'alias' | 'catalogue' | 'native';
}

/** A refusal, made into the client's error only when needed (the served list costs a catalogue walk). */
interface Refusal {
  refuse: () => GatewayError;
}

type Decision = ModelChoice | Refusal;

/** Compile `model_aliases` once per configured instance. */
export function compileAliases(aliases: Record<string, string> | undefined, modelName: string | undefined): AliasRule[] {
  const source = aliases ?? (modelName === undefined ? {} : { 'claude-*': modelName });
  return Object.entries(source)
    .map(([pattern, target]) => ({ pattern, target, glob: pattern.includes('*') ? globToRegExp(pattern) : undefined }))
    // Exact ids first, then longer (more specific) globs.
    .sort((a, b) => Number(a.glob !== undefined) - Number(b.glob !== undefined) || b.pattern.length - a.pattern.length);
}

/**
 * The upstream model id for the client's `model` (steps above), or the GatewayError the client gets.
 * `upstream` is the backend's view of the catalogue (Backend.models); without one (a backend that has
 * none), an unpinned route passes the client's id through, as Kong does.
 */
export function resolveModel(
  clientModel: string | undefined,
  route: RouteModels,
  upstream: UpstreamModels | undefined,
  catalogue: Catalogue = defaultCatalogue(),
): ModelChoice {
  const decision = decideModel(clientModel, route, upstream, catalogue);
  if ('refuse' in decision) throw decision.refuse();
  return decision;
}

/** resolveModel without the throw: undefined when the route refuses the id. */
function modelFor(clientModel: string, route: RouteModels, upstream: UpstreamModels | undefined, catalogue: Catalogue): ModelChoice | undefined {
  const decision = decideModel(clientModel, route, upstream, catalogue);
  return 'refuse' in decision ? undefined : decision;
}

function decideModel(clientModel: string | undefined, route: RouteModels, upstream: UpstreamModels | undefined, catalogue: Catalogue): Decision {
  const { pinned } = route;
  if (clientModel === undefined || clientModel === '') {
    return pinned === undefined ? { refuse: () => new GatewayError('GW_ERR_AI_NO_MODEL') } : { model: pinned, via: 'pinned' };
  }
  if (clientModel === pinned) return { model: pinned, via: 'pinned' };
  const rule = route.aliases.find((candidate) => (candidate.glob === undefined ? candidate.pattern === clientModel : candidate.glob.test(clientModel)));
  if (rule !== undefined && rule.target === CATALOGUE) return throughCatalogue(clientModel, route, upstream, catalogue);
  if (rule !== undefined && rule.target !== REJECT) return { model: rule.target, via: 'alias' };
  if (pinned !== undefined) return { refuse: () => new GatewayError('GW_ERR_AI_MODEL_MISMATCH', { params: { model: pinned } }) };
  if (rule !== undefined) {
    return { refuse: () => new GatewayError('GW_ERR_AI_MODEL_MISMATCH', { message: `model '${shown(clientModel)}' is not allowed on this route${serves(route, upstream, catalogue)}` }) };
  }
  if (upstream === undefined || upstream.isNative(clientModel)) return { model: clientModel, via: 'native' };
  return throughCatalogue(clientModel, route, upstream, catalogue);
}

function throughCatalogue(clientModel: string, route: RouteModels, upstream: UpstreamModels | undefined, catalogue: Catalogue): Decision {
  const entry = catalogue.resolve(clientModel);
  const target = entry === undefined || upstream === undefined ? undefined : upstream.idFor(entry, clientModel);
  if (target !== undefined && 'id' in target) return { model: target.id, via: 'catalogue' };
  if (target !== undefined && 'unverified' in target) {
    return { refuse: () => new GatewayError('GW_ERR_AI_MODEL_UNVERIFIED', { params: { model: shown(clientModel), id: target.unverified } }) };
  }
  // Not in the catalogue; or this upstream has no id for it (no Bedrock id, …); or no catalogue view at all.
  const why = target !== undefined ? ` (${target.refused})` : entry !== undefined ? ' (this upstream has no model catalogue)' : '';
  return { refuse: () => new GatewayError('GW_ERR_AI_MODEL_NOT_SERVED', { params: { model: shown(clientModel), why, served: serves(route, upstream, catalogue) } }) };
}

/** A client's id as an error message quotes it: cut, so a huge `model` isn't echoed whole. */
const shown = (id: string): string => (id.length > 200 ? `${id.slice(0, 200)}…` : id);

/**
 * `; it serves: a, b, and <the upstream's own ids>`, for refusals on a route without `model.name`; nothing
 * without a catalogue view (such a route passes any id it does not reject).
 */
function serves(route: RouteModels, upstream: UpstreamModels | undefined, catalogue: Catalogue): string {
  if (upstream === undefined) return '';
  const ids = servedModels(route, upstream, catalogue).map((served) => served.id);
  // The upstream's own ids go through unless a glob may reject them (which ones, a message can't say).
  const globRejects = route.aliases.some((rule) => rule.glob !== undefined && rule.target === REJECT);
  if (upstream.nativeIds !== undefined && !globRejects) ids.push(`${ids.length > 0 ? 'and ' : ''}${upstream.nativeIds}`);
  return ids.length === 0 ? '; it serves no model' : `; it serves: ${ids.join(', ')}`;
}

/**
 * The models a client of this route can ask for, one row per model, each named for what it reaches: a
 * catalogue model is listed (by its id, else the first alias the route accepts) when the route sends it
 * to that model, never when an alias sends it to another one (a pinned route does not list Opus because
 * `claude-*` sends Opus ids to its Haiku); then exact `model_aliases` keys, then `model.name`, unless the
 * model it names is listed already. Catalogue order: newest first within each line.
 */
export function servedModels(route: RouteModels, upstream: UpstreamModels | undefined, catalogue: Catalogue = defaultCatalogue()): ServedModel[] {
  const served: ServedModel[] = [];
  const listed = new Set<string>();
  const reached = new Set<ModelEntry>();
  const add = (id: string, entry: ModelEntry | undefined, upstreamId: string) => {
    served.push({ id, entry, upstreamId, status: entry === undefined || upstream === undefined ? 'active' : upstream.status(entry) });
    listed.add(id);
    if (entry !== undefined) reached.add(entry);
  };
  for (const entry of catalogue.models) {
    for (const id of [entry.id, ...entry.aliases]) {
      const choice = modelFor(id, route, upstream, catalogue);
      if (choice === undefined) continue;
      if (choice.via === 'catalogue' || upstream?.lookup(choice.model)?.entry === entry) add(id, entry, choice.model);
      break;
    }
  }
  for (const rule of route.aliases) {
    if (rule.glob !== undefined || listed.has(rule.pattern)) continue;
    const choice = modelFor(rule.pattern, route, upstream, catalogue);
    if (choice !== undefined) add(rule.pattern, upstream?.lookup(choice.model)?.entry ?? catalogue.resolve(rule.pattern), choice.model);
  }
  const pinned = route.pinned;
  if (pinned !== undefined && !listed.has(pinned)) {
    const entry = upstream?.lookup(pinned)?.entry;
    if (entry === undefined || !reached.has(entry)) add(pinned, entry, pinned);
  }
  return served;
}
