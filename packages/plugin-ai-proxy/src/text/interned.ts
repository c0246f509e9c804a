/**
 * Shared strings for the few ASCII names a stream repeats in every frame: matching the bytes in place
 * is much cheaper than making a new string from them each time.
 */
export type Interner = (bytes: Uint8Array, start: number, length: number) => string | undefined;

export function interner(texts: readonly string[]): Interner {
  const entries = texts.map((text) => ({ text, bytes: Buffer.from(text, 'latin1') }));
  return (bytes, start, length) => {
    for (const entry of entries) {
      if (entry.bytes.length !== length) continue;
      let i = 0;
      while (i < length && bytes[start + i] === entry.bytes[i]) i++;
      if (i === length) return entry.text;
    }
    return undefined;
  };
}
