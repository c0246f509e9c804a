/**
 * A Bedrock-native body on its way to Bedrock: as the client wrote it, except for the betas. A Claude body
 * (InvokeModel with `anthropic_version`, or Converse's `additionalModelRequestFields`) goes through the
 * same beta policy as the Anthropic → Bedrock pair (translators/anthropic-bedrock/beta-policy.ts): flags
 * Bedrock rejects are dropped or renamed, and the fields of dropped betas removed. A body the policy leaves
 * alone is sent as the client's own bytes; a changed one is spliced (untouched members keep their bytes,
 * so signed thinking blocks stay valid).
 */
import type { BodyBytes } from '@gw/plugin-api';
import type { NativeBody } from '../../formats/bedrock/body.js';
import { latin1Of } from '../../text/byte-text.js';
import { readMembers, type RawMembers } from '../../text/json-members.js';
import { writeMembers, writeMembersPieces } from '../../text/write-members.js';
import { BEDROCK_BETA_POLICY, type BetaPolicy } from '../anthropic-bedrock/beta-policy.js';
import { decideBetas } from '../anthropic-bedrock/betas.js';
import { bodyBetas, stripDependentFields } from '../anthropic-bedrock/body.js';

/** Converse passes Anthropic's own fields (thinking, anthropic_beta, …) in this member. */
const MODEL_FIELDS = 'additionalModelRequestFields';

export interface NativeBodyOut {
  body: BodyBytes;
  /** Flags sent in `anthropic_beta`. */
  betas: string[];
  /** Flags the client asked for that were not forwarded. */
  droppedBetas: string[];
}

export function toNativeBedrockBody(body: NativeBody, model: string, policy: BetaPolicy = BEDROCK_BETA_POLICY): NativeBodyOut {
  switch (body.operation) {
    case 'invoke':
    case 'invoke-with-response-stream':
      // Only Anthropic's InvokeModel body carries anthropic_version; another model's is not gw's to read.
      return body.members.has('anthropic_version') ? invokeBody(body, model, policy) : unchanged(body);
    case 'converse':
    case 'converse-stream':
      return body.members.has(MODEL_FIELDS) ? converseBody(body, model, policy) : unchanged(body);
    default:
      return unchanged(body);
  }
}

function unchanged(body: NativeBody): NativeBodyOut {
  return { body: body.bytes, betas: [], droppedBetas: [] };
}

function invokeBody(body: NativeBody, model: string, policy: BetaPolicy): NativeBodyOut {
  const members = new Map(body.members);
  const requested = bodyBetas(members.get('anthropic_beta'));
  const decision = decideBetas(requested, policy, model);
  let changed = stripDependentFields(members, body, decision.strip);
  if (!sameFlags(requested, decision.forwarded)) {
    changed = true;
    if (decision.forwarded.length > 0) members.set('anthropic_beta', latin1Of(JSON.stringify(decision.forwarded)));
    else members.delete('anthropic_beta');
  }
  return { body: changed ? writeMembersPieces(members, body) : body.bytes, betas: decision.forwarded, droppedBetas: decision.dropped };
}

/** The policy applied inside `additionalModelRequestFields`, read as an Anthropic body's top level (it is small). */
function converseBody(body: NativeBody, model: string, policy: BetaPolicy): NativeBodyOut {
  const raw = body.members.get(MODEL_FIELDS)!;
  let fields: RawMembers;
  try {
    fields = readMembers(raw);
  } catch {
    return unchanged(body); // not an object: Bedrock's to refuse
  }
  const requested = bodyBetas(fields.get('anthropic_beta'));
  const decision = decideBetas(requested, policy, model);
  const inner = { bytes: Buffer.from(raw, 'latin1'), members: fields, starts: new Map<string, number>() };
  let changed = stripDependentFields(fields, inner, decision.strip);
  if (!sameFlags(requested, decision.forwarded)) {
    changed = true;
    if (decision.forwarded.length > 0) fields.set('anthropic_beta', latin1Of(JSON.stringify(decision.forwarded)));
    else fields.delete('anthropic_beta');
  }
  if (!changed) return { body: body.bytes, betas: decision.forwarded, droppedBetas: decision.dropped };
  const members = new Map(body.members);
  members.set(MODEL_FIELDS, writeMembers(fields));
  return { body: writeMembersPieces(members, body), betas: decision.forwarded, droppedBetas: decision.dropped };
}

function sameFlags(requested: readonly string[], forwarded: readonly string[]): boolean {
  return requested.length === forwarded.length && requested.every((flag, i) => flag === forwarded[i]);
}

