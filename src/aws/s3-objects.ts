/** S3 objects as winami records and removes them: `s3://bucket/key` URIs, and batched deletes. */
import type { S3Port } from './ports.js';
import { awsErrorCode } from './errors.js';

/** Delete objects (DeleteObjects, 1,000 keys a call); returns the keys deleted and those that failed with S3's reason. */
export async function deleteObjectKeys(
  s3: S3Port,
  bucket: string,
  keys: readonly string[],
): Promise<{ deleted: string[]; failed: { key: string; error: string }[] }> {
  const deleted: string[] = [];
  const failed: { key: string; error: string }[] = [];
  for (let i = 0; i < keys.length; i += 1000) {
    const batch = keys.slice(i, i + 1000);
    try {
      const out = await s3.deleteObjects({ Bucket: bucket, Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true } });
      const errors = out.Errors ?? [];
      for (const e of errors) failed.push({ key: e.Key ?? '', error: `${e.Code ?? ''} ${e.Message ?? ''}`.trim() });
      const bad = new Set(errors.map((e) => e.Key));
      deleted.push(...batch.filter((k) => !bad.has(k)));
    } catch (err) {
      // A bucket that is gone holds no objects any more.
      if (awsErrorCode(err) === 'NoSuchBucket') deleted.push(...batch);
      else for (const key of batch) failed.push({ key, error: (err as Error).message });
    }
  }
  return { deleted, failed };
}

/** `s3://bucket/key` ↔ its parts (how the journal records an object). */
export function s3Uri(bucket: string, key: string): string {
  return `s3://${bucket}/${key}`;
}
export function parseS3Uri(uri: string): { bucket: string; key: string } | undefined {
  const m = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri);
  return m ? { bucket: m[1]!, key: m[2]! } : undefined;
}
