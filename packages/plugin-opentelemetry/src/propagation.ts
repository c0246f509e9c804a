/**
 * W3C trace context in (the client's traceparent/tracestate) and out (the upstream request's), through
 * the SDK's W3CTraceContextPropagator; the other formats Kong knows are accepted in the config and warned
 * about (config.ts).
 */
import { ROOT_CONTEXT, trace, type Context, type SpanContext, type TextMapGetter, type TextMapSetter } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import type { HeaderMap } from '@gw/plugin-api';
import type { Propagation } from './config.js';

const w3c = new W3CTraceContextPropagator();

const getter: TextMapGetter<Readonly<HeaderMap>> = {
  keys: (headers) => Object.keys(headers),
  get: (headers, key) => headers[key.toLowerCase()],
};
const setter: TextMapSetter<HeaderMap> = {
  set: (headers, key, value) => {
    headers[key.toLowerCase()] = value;
  },
};

export interface Extracted {
  context: Context;
  /** The format the context came in, when one did (`preserve` injects that one). */
  format: 'w3c' | undefined;
}

export function extract(headers: Readonly<HeaderMap>, propagation: Propagation): Extracted {
  if (!propagation.extract.includes('w3c')) return { context: ROOT_CONTEXT, format: undefined };
  const context = w3c.extract(ROOT_CONTEXT, headers, getter);
  return { context, format: trace.getSpanContext(context) === undefined ? undefined : 'w3c' };
}

/** Kong's order: clear the listed headers, then inject each format (`preserve`: the one extracted, else default_format). */
export function inject(headers: HeaderMap, span: SpanContext, propagation: Propagation, extractedFormat: string | undefined): void {
  for (const name of propagation.clear) delete headers[name.toLowerCase()];
  const formats = propagation.inject.map((f) => (f === 'preserve' ? (extractedFormat ?? propagation.defaultFormat) : f));
  if (formats.includes('w3c')) w3c.inject(trace.setSpanContext(ROOT_CONTEXT, span), headers, setter);
}
