import { readFileSync, readdirSync } from 'node:fs';

/** /work/shared/fixtures: the repo root's sibling `shared/fixtures`. */
export const FIXTURES = new URL('../../../../../shared/fixtures/', import.meta.url);

export function readFixture<T = unknown>(relative: string): T {
  return JSON.parse(readFileSync(new URL(relative, FIXTURES), 'utf8')) as T;
}

export function listFixtures(folder: string, suffix: string): string[] {
  return readdirSync(new URL(folder, FIXTURES)).filter((name) => name.endsWith(suffix)).map((name) => `${folder}${name}`);
}

export interface CapturedRequest {
  seq: number;
  method: string;
  url: string;
  headers: Record<string, string>;
  bodyBytes: number;
  body?: Record<string, unknown>;
  bodyTruncated?: Record<string, unknown>;
}

export interface Capture {
  claudeCodeVersion: string;
  requests: CapturedRequest[];
}
