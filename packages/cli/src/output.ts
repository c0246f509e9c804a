/** How the CLI talks: results on stdout, problems and logs on stderr, one line per message. */
import { formatProblem, type ConfigProblem } from '@gw/core';
import type { Logger } from '@gw/plugin-api';

export function out(line: string): void {
  process.stdout.write(`${line}\n`);
}

export function err(line: string): void {
  process.stderr.write(`${line}\n`);
}

export function printProblems(problems: readonly ConfigProblem[]): void {
  for (const problem of problems) err(formatProblem(problem));
}

export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** The gateway's logger: timestamped level lines on stderr. */
export const stderrLogger: Logger = {
  info: (message) => err(`${new Date().toISOString()} [info] ${message}`),
  warn: (message) => err(`${new Date().toISOString()} [warn] ${message}`),
  error: (message) => err(`${new Date().toISOString()} [error] ${message}`),
};

/** An unexpected failure: one line, or the stack (with causes) under --debug. */
export function describeError(error: unknown, debug: boolean): string {
  if (!(error instanceof Error)) return String(error);
  if (!debug) return error.message;
  let text = error.stack ?? error.message;
  for (let cause = error.cause; cause instanceof Error; cause = cause.cause) text += `\nCaused by: ${cause.stack ?? cause.message}`;
  return text;
}
