import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { crc32Of } from '../../../../src/backends/bedrock/eventstream/crc32.js';

describe('crc32Of', () => {
  it("equals zlib's crc32 on any range of random bytes (seeded)", () => {
    let seed = 42;
    const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
    const bytes = Buffer.alloc(4096);
    for (let i = 0; i < bytes.length; i++) bytes[i] = next() & 0xff;
    for (let round = 0; round < 2000; round++) {
      const start = next() % 4000;
      const end = start + (next() % 96);
      expect(crc32Of(bytes, start, end)).toBe(crc32(bytes.subarray(start, end)));
    }
  });

  it('gives the known check value and the empty CRC', () => {
    expect(crc32Of(Buffer.from('123456789'), 0, 9)).toBe(0xcbf43926);
    expect(crc32Of(Buffer.alloc(0), 0, 0)).toBe(0);
  });
});
