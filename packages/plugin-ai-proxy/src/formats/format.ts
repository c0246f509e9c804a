/**
 * What a client format is to the rest of ai-proxy: how errors look to its clients. One object per format
 * (formats/<name>/index.ts); translators use the rest of a format's folder directly.
 */
import type { ErrorFormat } from '@gw/plugin-api';
import type { AiError } from '../errors.js';

export interface ClientFormat {
  /** `llm_format`'s value. */
  readonly name: string;
  /** How core renders gateway errors (GatewayError) for clients of this format. */
  readonly errorFormat: ErrorFormat;
  /** The status a client of this format gets for `error`. */
  errorStatus(error: AiError): number;
  /** The error type name a client of this format gets for `error` (also the log's `error.type`). */
  errorType(error: AiError): string;
  /** The JSON body of an error answer. */
  errorBody(error: AiError): string;
}
