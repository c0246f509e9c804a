/** The plugins' view of one request (RequestContext), made on first use. */
import type {
  Channel,
  ClientRequest,
  ConsumerEntity,
  ConsumerGroupEntity,
  ErrorFormat,
  JsonValue,
  RequestContext,
  RouteEntity,
  ServiceEntity,
} from '@gw/plugin-api';
import { applyToRecord } from '../log/record.js';
import { makeSerializeOp } from '../log/serialize-values.js';
import { credentialName } from '../log/redact.js';
import { now, type Exchange } from './exchange.js';

const NO_GROUPS: readonly ConsumerGroupEntity[] = Object.freeze([]);

/** The plugins' view of the request, built on first use: a request no plugin sees never pays for it. */
export function contextFor(ex: Exchange): RequestContext {
  return (ex.ctx ??= new PluginContext(ex));
}

/**
 * RequestContext as a class: per request one object with three fields, its getters and methods shared on
 * the prototype (an object literal of getters and closures cost ~17 closures a request). Plugins call the
 * methods on the context (`ctx.now()`); a method taken off it (`const { now } = ctx`) has no `this`.
 */
class PluginContext implements RequestContext {
  readonly id: string;
  readonly startedAt: number;
  readonly request: ClientRequest;
  readonly #ex: Exchange;

  constructor(ex: Exchange) {
    this.#ex = ex;
    this.id = ex.id;
    this.startedAt = ex.startedAt;
    this.request = ex.client;
  }

  get route(): RouteEntity {
    return this.#ex.route as RouteEntity;
  }
  get service(): ServiceEntity | null {
    return this.#ex.service;
  }
  get consumer(): ConsumerEntity | null {
    return this.#ex.consumer;
  }
  get credential(): { readonly id: string } | null {
    const id = this.#ex.credentialId;
    return id === undefined ? null : { id };
  }
  get consumerGroups(): readonly ConsumerGroupEntity[] {
    const ex = this.#ex;
    return ex.consumer === null ? NO_GROUPS : ex.consumers.groups.get(ex.consumer.id) ?? NO_GROUPS;
  }
  get errorFormat(): ErrorFormat {
    return this.#ex.errorFormat;
  }
  get signal(): AbortSignal {
    return this.#ex.abort.signal;
  }
  authenticate(consumer: ConsumerEntity, credentialId?: string): void {
    const ex = this.#ex;
    ex.consumer = consumer;
    ex.credentialId = credentialId;
    ex.consumerChanged = true;
  }
  findConsumerByKey(key: string): ConsumerEntity | undefined {
    return this.#ex.consumers.byKey.get(key)?.consumer;
  }
  findCredentialByKey(key: string): { consumer: ConsumerEntity; credentialId: string } | undefined {
    return this.#ex.consumers.byKey.get(key);
  }
  findConsumer(idOrUsername: string): ConsumerEntity | undefined {
    return this.#ex.consumers.byIdOrName.get(idOrUsername);
  }
  setSerializeValue(key: string, value: JsonValue | undefined, mode?: 'set' | 'add' | 'replace'): void {
    const ex = this.#ex;
    const op = makeSerializeOp(key, value, mode);
    ex.serializeOps.push(op);
    if (ex.liveRecord !== undefined) applyToRecord(ex.liveRecord, op);
  }
  setErrorFormat(format: ErrorFormat): void {
    this.#ex.errorFormat = format;
    this.#ex.errorFormatChosen = true;
  }
  redactHeader(name: string): void {
    (this.#ex.redacted ??= new Set()).add(credentialName(name));
  }
  now(): number {
    return now();
  }
  publish<T>(channel: Channel<T>, value: T): void {
    (this.#ex.channels ??= new Map()).set(channel.key, value);
  }
  read<T>(channel: Channel<T>): T | undefined {
    return this.#ex.channels?.get(channel.key) as T | undefined;
  }
}
