import { describe, expect, it } from 'vitest';
import { createAbortHook } from '../../src/runtime/abort.js';

describe('abort hook', () => {
  it('calls its listeners once, in order, and not after removal', () => {
    const hook = createAbortHook();
    const seen: string[] = [];
    const a = () => seen.push('a');
    const b = () => seen.push('b');
    const c = () => seen.push('c');
    hook.addEventListener('abort', a);
    hook.addEventListener('abort', b);
    hook.addEventListener('abort', c);
    hook.removeEventListener('abort', b);
    expect(hook.aborted).toBe(false);
    hook.abort();
    hook.abort();
    expect(hook.aborted).toBe(true);
    expect(seen).toEqual(['a', 'c']);
    hook.addEventListener('abort', a); // like an AbortSignal: too late to fire
    expect(seen).toEqual(['a', 'c']);
  });

  it('makes an AbortSignal only when asked, aborted with the hook', () => {
    const before = createAbortHook();
    const signal = before.signal;
    expect(before.signal).toBe(signal);
    let fired = 0;
    signal.addEventListener('abort', () => fired++);
    before.abort();
    expect(signal.aborted).toBe(true);
    expect(fired).toBe(1);

    const after = createAbortHook();
    after.abort();
    expect(after.signal.aborted).toBe(true);
  });
});
