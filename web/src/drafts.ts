/**
 * Unsent text, per conversation (or per record, for a new message), per seller, in this tab's `sessionStorage`:
 * it survives switching conversations, a reload and a sign-in after the session ended. Sign-out discards the
 * seller's drafts; another seller signing in to the same tab never sees them.
 */
const PREFIX = 'sms-console.draft.';

const keyOf = (sellerId: string, target: string) => `${PREFIX}${encodeURIComponent(sellerId)}.${target}`;

export function readDraft(sellerId: string, target: string): string {
  return sessionStorage.getItem(keyOf(sellerId, target)) ?? '';
}

export function saveDraft(sellerId: string, target: string, text: string): void {
  try {
    if (text) sessionStorage.setItem(keyOf(sellerId, target), text);
    else sessionStorage.removeItem(keyOf(sellerId, target));
  } catch {
    // Storage full or disabled: the draft lives only as long as the composer does.
  }
}

export function discardDrafts(sellerId: string): void {
  const prefix = keyOf(sellerId, '');
  for (const key of Object.keys(sessionStorage)) if (key.startsWith(prefix)) sessionStorage.removeItem(key);
}

export const conversationDraft = (conversationId: string) => `conversation:${conversationId}`;
export const recordDraft = (record: { type: string; id: string }) => `record:${record.type}/${record.id}`;
