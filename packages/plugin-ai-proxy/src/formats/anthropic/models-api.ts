/**
 * Anthropic's Models API on an Anthropic-format route, answered by gw from the models the route serves
 * (phases/model.ts, servedModels): `GET …/v1/models` with Anthropic's cursor pagination (`limit`,
 * `after_id`, `before_id`) and `lifecycle` filter, and `GET …/v1/models/{id}`, which also takes an alias
 * and answers with the model it names, as Anthropic's does.
 */
import { GatewayError } from '@gw/plugin-api';
import type { ServedModel } from '../../models/upstream-models.js';
import type { ModelsApi } from '../format.js';

const LIST = /\/v1\/models\/?$/;
const ONE = /\/v1\/models\/([^/]+)\/?$/;

type Lifecycle = 'active' | 'deprecated' | 'retired';
const LIFECYCLES: readonly string[] = ['active', 'deprecated', 'retired'];
/** Anthropic's default: retired models only when asked for. */
const DEFAULT_LIFECYCLES: readonly Lifecycle[] = ['active', 'deprecated'];
const DEFAULT_LIMIT = 20;
const MAX_LIMIT = 1000;
/** Anthropic's model lines, as a word of the id (claude-3-7-sonnet-20250219, claude-opus-4-6). */
const LINE = /-(opus|sonnet|haiku|fable|mythos)(?:-|$)/;
/** Anthropic's value when a release date is unknown. */
const EPOCH = '1970-01-01T00:00:00Z';

export const anthropicModelsApi: ModelsApi = {
  matches: (path) => LIST.test(path) || ONE.test(path),
  answer(request, served) {
    if (request.method !== 'GET') throw new GatewayError('GW_ERR_AI_METHOD_NOT_ALLOWED', { headers: { allow: 'GET' } });
    if (ONE.exec(request.path) === null) return Response.json(listPage(served, new URLSearchParams(request.query)));
    // The id as the client encoded it (an ARN's %2F), when the raw path has the same shape.
    const one = ONE.exec(request.rawPath) ?? ONE.exec(request.path)!;
    const id = decodeSegment(one[1]!);
    const model = served.find((m) => m.id === id) ?? served.find((m) => m.entry !== undefined && (m.entry.id === id || m.entry.aliases.includes(id)));
    if (model === undefined) throw new GatewayError('GW_ERR_AI_MODEL_NOT_FOUND', { params: { model: id.slice(0, 200) } });
    return Response.json(modelInfo(model));
  },
};

interface ListPage {
  data: Record<string, unknown>[];
  has_more: boolean;
  first_id: string | null;
  last_id: string | null;
}

function listPage(served: readonly ServedModel[], query: URLSearchParams): ListPage {
  const limit = limitOf(query.get('limit'));
  const lifecycles = lifecyclesOf([...query.getAll('lifecycle'), ...query.getAll('lifecycle[]')]);
  const after = query.get('after_id');
  const before = query.get('before_id');
  if (after !== null && before !== null) throw badRequest('after_id and before_id cannot both be set');
  const visible = served.filter((model) => lifecycles.includes(lifecycleOf(model)));
  let from = 0;
  let to = Math.min(limit, visible.length);
  let more = to < visible.length;
  if (after !== null) {
    from = indexOf(visible, after, 'after_id') + 1;
    to = Math.min(from + limit, visible.length);
    more = to < visible.length;
  } else if (before !== null) {
    to = indexOf(visible, before, 'before_id');
    from = Math.max(0, to - limit);
    // Paging backwards: more means more before this page.
    more = from > 0;
  }
  const data = visible.slice(from, to).map(modelInfo);
  return { data, has_more: more, first_id: (data[0]?.id as string | undefined) ?? null, last_id: (data.at(-1)?.id as string | undefined) ?? null };
}

/** Anthropic's ModelInfo; what the catalogue does not know (capabilities, deprecation dates) is null. */
function modelInfo(model: ServedModel): Record<string, unknown> {
  const entry = model.entry;
  return {
    type: 'model',
    id: model.id,
    display_name: entry?.name ?? model.id,
    created_at: releasedAt(entry?.id ?? model.id),
    lifecycle: lifecycleOf(model),
    line: (entry && LINE.exec(entry.id)?.[1]) ?? null,
    max_input_tokens: entry?.contextWindow ?? null,
    max_tokens: entry?.maxOutput ?? null,
    capabilities: null,
    deprecated_at: null,
    retires_at: null,
  };
}

/** The snapshot date in a dated id (claude-sonnet-4-5-20250929); the catalogue has no release dates otherwise. */
function releasedAt(id: string): string {
  const date = /-(\d{4})(\d{2})(\d{2})$/.exec(id);
  return date === null ? EPOCH : `${date[1]}-${date[2]}-${date[3]}T00:00:00Z`;
}

/** The catalogue's `legacy` models are still open to new users: active in Anthropic's terms. */
function lifecycleOf(model: ServedModel): Lifecycle {
  return model.status === 'legacy' ? 'active' : model.status;
}

function limitOf(raw: string | null): number {
  if (raw === null) return DEFAULT_LIMIT;
  const limit = Number(raw);
  if (!/^\d+$/.test(raw) || limit < 1 || limit > MAX_LIMIT) throw badRequest(`limit: must be an integer from 1 to ${MAX_LIMIT}`);
  return limit;
}

/** `lifecycle[]=active&lifecycle[]=retired` (the SDK's form), `lifecycle=active`, or comma-separated. */
function lifecyclesOf(values: string[]): readonly string[] {
  if (values.length === 0) return DEFAULT_LIFECYCLES;
  const asked = values.flatMap((value) => value.split(','));
  const wrong = asked.find((value) => !LIFECYCLES.includes(value));
  if (wrong !== undefined) throw badRequest(`lifecycle: '${wrong.slice(0, 64)}' is not one of ${LIFECYCLES.join(', ')}`);
  return asked;
}

function indexOf(models: readonly ServedModel[], id: string, name: string): number {
  const index = models.findIndex((model) => model.id === id);
  if (index < 0) throw badRequest(`${name}: '${id.slice(0, 200)}' is not a model this route lists`);
  return index;
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

const badRequest = (message: string) => new GatewayError('GW_ERR_BAD_REQUEST', { message });
