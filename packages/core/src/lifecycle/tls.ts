/** The TLS listener's certificate and key, read from their files (at start, and on every TLS reload). */
import { readFile } from 'node:fs/promises';

/** The certificate and key as Buffers, or why they can't be read (the error code only, never contents). */
export async function readTls(files: { cert: string; key: string }): Promise<{ cert: Buffer; key: Buffer } | string> {
  const read = async (file: string, what: string): Promise<Buffer | string> => {
    try {
      return await readFile(file);
    } catch (error) {
      return `cannot read the TLS ${what} ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`;
    }
  };
  const cert = await read(files.cert, 'certificate');
  if (typeof cert === 'string') return cert;
  const key = await read(files.key, 'key');
  if (typeof key === 'string') return key;
  return { cert, key };
}
