/**
 * Where the recorded wire data used by more than one package lives (`test/fixtures/`, indexed in its
 * README.md). Package tests reach it through this module so there is one copy of the bytes.
 */
import { readFileSync } from 'node:fs';

export const FIXTURES = new URL('./fixtures/', import.meta.url);

export const fixtureUrl = (relative: string): URL => new URL(relative, FIXTURES);
export const fixtureBytes = (relative: string): Uint8Array => new Uint8Array(readFileSync(fixtureUrl(relative)));
export const fixtureText = (relative: string): string => readFileSync(fixtureUrl(relative), 'utf8');
export const fixtureJson = <T = unknown>(relative: string): T => JSON.parse(fixtureText(relative)) as T;
