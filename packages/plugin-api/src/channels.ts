/**
 * Typed plugin-to-plugin channels: one plugin publishes a value on a request, others read it (Kong's
 * `kong.ctx.shared`, with a type and a name instead of a free-for-all table). A channel is identified by
 * its name through `Symbol.for`, so two copies of this package (a plugin installed with its own) still
 * meet on the same channel.
 */
export interface Channel<T> {
  readonly name: string;
  readonly key: symbol;
  /** Never set: carries the value's type. */
  readonly _type?: T;
}

/** Declare a channel once, in the package its publisher and readers both import. Names are global: prefix yours. */
export function defineChannel<T>(name: string): Channel<T> {
  return Object.freeze({ name, key: Symbol.for(`gw.channel:${name}`) });
}
