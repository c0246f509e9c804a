import { describe, expect, it } from 'vitest';
import { definePlugin } from '@gw/plugin-api';
import { phasesOf } from '../../src/runtime/phases.js';
import type { PlannedPlugin } from '../../src/runtime/plan.js';
import type { AnyPlugin } from '../../src/runtime/registry.js';

const planned = (plugin: AnyPlugin): PlannedPlugin => ({ name: plugin.name, plugin, entity: {} as PlannedPlugin['entity'], config: {}, state: undefined });
const base = { version: '1.0.0', priority: 1, configSchema: {} };

describe('phase set of a plugin list', () => {
  it('says which phases have handlers, keeps the log plugins in order, and is computed once per list', () => {
    const auth = planned(definePlugin({ ...base, name: 'auth', access() {} }) as AnyPlugin);
    const logA = planned(definePlugin({ ...base, name: 'log-a', log() {} }) as AnyPlugin);
    const shaper = planned(definePlugin({ ...base, name: 'shaper', responseBody: () => undefined }) as AnyPlugin);
    const logB = planned(definePlugin({ ...base, name: 'log-b', upstream() {}, log() {} }) as AnyPlugin);
    const list = Object.freeze([auth, logA, shaper, logB]);
    const set = phasesOf(list);
    expect(set).toMatchObject({ access: true, upstream: true, responseHeaders: false, responseBody: true });
    expect(set.log.map((p) => p.name)).toEqual(['log-a', 'log-b']);
    expect(phasesOf(list)).toBe(set);
  });

  it('has nothing to run for an empty list', () => {
    expect(phasesOf([])).toMatchObject({ access: false, upstream: false, responseHeaders: false, responseBody: false, log: [] });
  });
});
