/**
 * Errors on Bedrock's own wire, for Bedrock-native clients: `{"message"}` with the exception's name in
 * `x-amzn-errortype` and Bedrock's status for it, so the AWS SDK raises the typed exception and retries
 * exactly as it would against Bedrock (ThrottlingException, InternalServerException,
 * ServiceUnavailableException and 5xx statuses; nothing else). An error Bedrock itself sent keeps its name
 * and status (AiError.native); one gw raises is named by its kind and status. Inside a stream an error is
 * an eventstream `exception` message (exception-frame.ts).
 */
import { bedrockErrorTypeForStatus } from '@gw/plugin-api';
import type { AiError } from '../../errors.js';

/** Bedrock's HTTP status for each of its exceptions (the AWS SDK's model; in-stream ones have the same). */
export const BEDROCK_EXCEPTION_STATUS: Readonly<Record<string, number>> = {
  ValidationException: 400,
  ConflictException: 400,
  ServiceQuotaExceededException: 400,
  AccessDeniedException: 403,
  ResourceNotFoundException: 404,
  ModelTimeoutException: 408,
  ModelErrorException: 424,
  ModelStreamErrorException: 424,
  ThrottlingException: 429,
  ModelNotReadyException: 429,
  InternalServerException: 500,
  ServiceUnavailableException: 503,
};

export function bedrockErrorStatus(error: AiError): number {
  return error.native?.status ?? error.status;
}

export function bedrockErrorType(error: AiError): string {
  if (error.native !== undefined) return error.native.type;
  switch (error.kind) {
    // gw's own 404 on this wire is "no such operation" (plugin-api); a backend's is a missing resource.
    case 'not_found': return 'ResourceNotFoundException';
    case 'overloaded': return 'ServiceUnavailableException';
    case 'rate_limited': return 'ThrottlingException';
    case 'server': return 'InternalServerException';
    default: return bedrockErrorTypeForStatus(error.status);
  }
}

export function bedrockErrorBody(error: AiError): string {
  return JSON.stringify({ message: error.message });
}

/** The exception's name as a stream member (`ThrottlingException` → `throttlingException`). */
export function streamMemberName(type: string): string {
  return type.length === 0 ? type : type[0]!.toLowerCase() + type.slice(1);
}

/** A stream member's name as the exception's (`throttlingException` → `ThrottlingException`). */
export function exceptionName(member: string): string {
  return member.length === 0 ? member : member[0]!.toUpperCase() + member.slice(1);
}
