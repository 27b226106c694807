/**
 * Storage limitation: with a retention period, a message (its pointers, media, notifications) expires
 * that many days after it was created, through DynamoDB TTL (`expiresAt`, epoch seconds). TTL deletes
 * lazily, so every read also treats an item past its `expiresAt` as gone.
 */
export function expiryOf(createdAt: string, retentionDays: number | undefined): number | undefined {
  if (!retentionDays) return undefined;
  return Math.floor(Date.parse(createdAt) / 1000) + retentionDays * 86_400;
}

export function isExpired(item: { expiresAt?: unknown }, now: Date): boolean {
  return typeof item.expiresAt === 'number' && item.expiresAt * 1000 <= now.getTime();
}
