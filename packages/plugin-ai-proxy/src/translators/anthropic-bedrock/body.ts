import { GatewayError } from '@gw/plugin-api';
import type { ModelOptions } from '../../config/types.js';
import { BEDROCK_BETA_POLICY, type BetaPolicy, type DependentField } from './beta-policy.js';
import { decideBetas, fieldName, removeField } from './betas.js';
import { readMembers, type RawMembers } from '../../text/json-members.js';
import { writeMembers, writeMembersPieces, type MemberSource, type MemberSplice } from '../../text/write-members.js';
import { applyOptions, parseThinking } from '../../formats/anthropic/options.js';
import { joinBytes, latin1Of, textOf } from '../../text/byte-text.js';
import { canonicalElements } from '../../text/canonical-json.js';

export const DEFAULT_BEDROCK_ANTHROPIC_VERSION = 'bedrock-2023-05-31';

export interface BedrockBodyInput {
  /** The client's Anthropic Messages body, read into members (parseMessagesBody); left unchanged. */
  body: MemberSource;
  /** Upstream model id (some betas depend on it). */
  model: string;
  /** Flags from the `anthropic-beta` header. */
  headerBetas: readonly string[];
  options?: ModelOptions;
  policy?: BetaPolicy;
}

export interface BedrockBody {
  /** InvokeModel body, in pieces that share the client's bytes (writeMembersPieces). */
  body: Buffer[];
  /** Flags sent in `anthropic_beta`. */
  betas: string[];
  /** Flags the client asked for that were not forwarded. */
  droppedBetas: string[];
  /** model.options overrides left out so the body stays valid (see applyOptions). */
  skippedOptions: string[];
}

/**
 * Anthropic Messages body → InvokeModel body (docs/reference/bedrock.md#invokemodel-body): drop
 * `model` and `stream` (path and operation carry them), apply model.options, move betas into
 * `anthropic_beta` through the beta policy (dropping fields of dropped betas), end with
 * `anthropic_version` — the key order Claude Code's own Bedrock mode produces. Untouched members keep
 * their exact bytes: members are spliced as latin1 views, and only members that change are decoded.
 */
export function toBedrockBody(input: BedrockBodyInput): BedrockBody {
  const members = new Map(input.body.members);
  members.delete('model');
  members.delete('stream');
  members.delete('anthropic_version');
  const requested = [...input.headerBetas, ...bodyBetas(members.get('anthropic_beta'))];
  members.delete('anthropic_beta');

  const skippedOptions = applyOptions(members, input.options);
  const decision = decideBetas(requested, input.policy ?? BEDROCK_BETA_POLICY, input.model);
  stripDependentFields(members, input.body, decision.strip);
  if (decision.forwarded.length > 0) members.set('anthropic_beta', latin1Of(JSON.stringify(decision.forwarded)));
  members.set('anthropic_version', latin1Of(JSON.stringify(input.options?.anthropic_version ?? DEFAULT_BEDROCK_ANTHROPIC_VERSION)));
  return { body: writeMembersPieces(members, input.body), betas: decision.forwarded, droppedBetas: decision.dropped, skippedOptions };
}

/**
 * Remove from `members` (a copy of `source.members`) the fields of betas that are not forwarded
 * (BetaDecision.strip). Returns whether anything was removed. Only a member that really changes is parsed
 * and re-serialized; the others keep their exact text.
 */
export function stripDependentFields(members: RawMembers, source: MemberSource, strip: ReadonlyMap<string, readonly DependentField[]>): boolean {
  let removed = false;
  for (const [top, fields] of strip) {
    const raw = members.get(top);
    if (raw === undefined) continue;
    if (fields.some((field) => field.path === top)) {
      members.delete(top);
      removed = true;
      continue;
    }
    // Parse a member only when a field name to strip occurs in its text at all.
    const present = fields.filter((field) => mentions(source, top, raw, fieldName(field.path)));
    if (present.length === 0) continue;
    const spliced = stripElements(raw, top, present);
    if (spliced !== undefined) {
      if (spliced.edits.length === 0) continue;
      members.set(top, spliced.raw);
      // Only when the member was the client's own text are the edits offsets into its bytes.
      if (raw === source.members.get(top)) (source.spliced ??= new Map()).set(top, spliced);
      removed = true;
      continue;
    }
    // Without `\u` escapes the latin1 view parses to strings whose chars are the body's bytes, and
    // JSON.stringify writes them back as they were: the same bytes as decoding to text, parsing,
    // serializing and encoding again, without the UTF-8 round trip (a two-byte string serializes at less
    // than half the speed: ~0.5 ms for Claude Code's 47 KB of tools).
    const bytewise = !raw.includes('\\u');
    const value = bytewise ? parseLatin1(raw) : parseMember(raw);
    let changed = false;
    for (const field of present) changed = removeField(value, field.path) || changed;
    // Only a member that really changed is re-serialized.
    if (changed) members.set(top, bytewise ? JSON.stringify(value) : latin1Of(JSON.stringify(value)));
    removed = removed || changed;
  }
  return removed;
}

/**
 * stripDependentFields for fields inside the elements of an array member (`tools[].defer_loading`), when
 * the array is canonical JSON (text/canonical-json.ts): only the elements that mention a field are
 * parsed and serialized again, and spliced between the others' text, which is what serializing the
 * whole member would have written for them. Claude Code's 47 KB of tools without its beta header: one
 * 200-byte element instead of the whole member. Undefined when it does not apply (the caller parses the
 * whole member); no edits when nothing was removed.
 */
function stripElements(raw: string, top: string, fields: readonly DependentField[]): MemberSplice | undefined {
  const prefix = `${top}[].`;
  if (!fields.every((field) => field.path.startsWith(prefix))) return undefined;
  const spans = canonicalElements(raw);
  if (spans === undefined) return undefined;
  const hits = mentionsAt(raw, fields);
  const edits: MemberSplice['edits'] = [];
  let out = '';
  let copied = 0;
  let h = 0;
  for (let k = 0; k < spans.length && h < hits.length; k += 2) {
    const start = spans[k];
    const end = spans[k + 1];
    while (h < hits.length && hits[h] < start) h++;
    if (h === hits.length || hits[h] >= end) continue;
    const element = raw.slice(start, end);
    const bytewise = !element.includes('\\u');
    const holder = [bytewise ? parseLatin1(element) : parseMember(element)];
    let removedHere = false;
    for (const field of fields) removedHere = removeField(holder, field.path) || removedHere;
    if (!removedHere) continue; // canonical, so its own text is what serializing it gives
    const serialized = JSON.stringify(holder[0]);
    const text = bytewise ? serialized : latin1Of(serialized);
    out += raw.slice(copied, start) + text;
    copied = end;
    edits.push({ start, end, text });
  }
  return { raw: edits.length === 0 ? raw : out + raw.slice(copied), edits };
}

/** Where the fields' names occur quoted in `text`, in order: one search per name over the text. */
function mentionsAt(text: string, fields: readonly DependentField[]): number[] {
  const at: number[] = [];
  for (const field of fields) {
    const needle = `"${fieldName(field.path)}"`;
    for (let i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) at.push(i);
  }
  return fields.length > 1 ? at.sort((a, b) => a - b) : at;
}

/** `raw.includes(`"${name}"`)`, answered from the body scan when it looked for `name` in this very text. */
function mentions(body: MemberSource, top: string, raw: string, name: string): boolean {
  const found = body.quoted?.found.get(top);
  // Usually the same string object, so this compares pointers.
  if (found !== undefined && found.raw === raw && body.quoted?.words.includes(name)) return found.words.has(name);
  return raw.includes(`"${name}"`);
}

/** A member gw must change; the body check left its JSON unparsed (formats/anthropic/body.ts). */
function parseMember(raw: string): unknown {
  try {
    return JSON.parse(textOf(raw)) as unknown;
  } catch {
    throw new GatewayError('GW_ERR_AI_INVALID_BODY');
  }
}

/** parseMember on the latin1 view itself: its strings stay latin1 views (for a member with no `\u` escape). */
function parseLatin1(raw: string): unknown {
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    throw new GatewayError('GW_ERR_AI_INVALID_BODY');
  }
}

/** The flags of a body's `anthropic_beta` member (raw text; strings only, others ignored). */
export function bodyBetas(raw: string | undefined): string[] {
  if (raw === undefined) return [];
  const value = parseMember(raw);
  return Array.isArray(value) ? value.filter((flag): flag is string => typeof flag === 'string') : [];
}

/**
 * CountTokens body: `{"input":{"invokeModel":{"body":"<base64 of the InvokeModel body>"}}}` (the AWS SDK
 * sends the blob base64: test/fixtures/bedrock/aws-sdk-requests-h1.json). The Anthropic count_tokens request has no
 * max_tokens but InvokeModel requires one: use one that satisfies the thinking budget.
 */
export function toCountTokensBody(invoke: BedrockBody): Buffer {
  const invokeBody = joinBytes(invoke.body);
  const members: RawMembers = readMembers(invokeBody.toString('latin1'));
  if (!members.has('max_tokens')) {
    const budget = parseThinking(members.get('thinking')).budget;
    const withMax: RawMembers = new Map([['max_tokens', String(budget === undefined ? 1 : budget + 1)], ...members]);
    return wrapCountTokens(Buffer.from(writeMembers(withMax), 'latin1'));
  }
  return wrapCountTokens(invokeBody);
}

function wrapCountTokens(invoke: Buffer): Buffer {
  return Buffer.from(JSON.stringify({ input: { invokeModel: { body: invoke.toString('base64') } } }), 'utf8');
}
