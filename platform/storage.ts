/**
 * Where uploaded files (ticket photos) are kept: behind one small interface, so the API does not
 * care whether it is a folder or an object store. The local folder (under DATA_DIR) is the
 * default; an S3-compatible store (AWS, MinIO, 阿里云 OSS, 腾讯云 COS) by configuration. Keys are
 * made by the API (never from a client's file name), so no path can escape the folder.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { GetObjectCommand, NoSuchKey, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';

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

export interface S3StoreConfig {
  bucket: string;
  /** e.g. https://oss-cn-zhengzhou.aliyuncs.com or a MinIO URL; unset: AWS by region */
  endpoint?: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** path-style URLs (bucket in the path), as MinIO and most compatible stores want */
  forcePathStyle: boolean;
}

export function s3BlobStore(c: S3StoreConfig): BlobStore {
  const client = new S3Client({
    region: c.region,
    endpoint: c.endpoint,
    forcePathStyle: c.forcePathStyle,
    credentials: { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey },
  });
  return {
    async put(key, body, contentType) {
      await client.send(new PutObjectCommand({ Bucket: c.bucket, Key: key, Body: body, ContentType: contentType }));
    },
    async get(key) {
      try {
        const res = await client.send(new GetObjectCommand({ Bucket: c.bucket, Key: key }));
        return res.Body ? Buffer.from(await res.Body.transformToByteArray()) : undefined;
      } catch (err) {
        if (err instanceof NoSuchKey || (err as { name?: string }).name === 'NoSuchKey') return undefined;
        throw err;
      }
    },
  };
}
