// The one-way hash of stream keys and API tokens (what the control store keeps and looks up
// by). Its own module so that shard workers, which hash a presented key before asking the
// primary, do not load the store (lmdb) itself.
import { createHash } from 'node:crypto';

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}
