/**
 * Where uploaded files (ticket photos) are kept: behind one small interface, so the API does not
 * care whether it is a folder or an object store. The local folder (under DATA_DIR) is the
 * default; keys are made by the API (never from a client's file name), so no path can escape it.
 */
import fs from 'node:fs/promises';
import path from 'node:path';

export interface BlobStore {
  put(key: string, body: Buffer, contentType: string): Promise<void>;
  /** undefined when there is no such blob */
  get(key: string): Promise<Buffer | undefined>;
}

const SAFE_KEY = /^[a-z0-9][a-z0-9/_.-]{0,200}$/;

export function localBlobStore(dir: string): BlobStore {
  const file = (key: string) => {
    if (!SAFE_KEY.test(key) || key.includes('..')) throw new Error(`not a blob key: ${key}`);
    return path.join(dir, key);
  };
  return {
    async put(key, body) {
      const target = file(key);
      await fs.mkdir(path.dirname(target), { recursive: true });
      // written aside and renamed, so a reader never sees half a photo
      await fs.writeFile(`${target}.part`, body);
      await fs.rename(`${target}.part`, target);
    },
    async get(key) {
      return fs.readFile(file(key)).catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') return undefined;
        throw err;
      });
    },
  };
}
