import type { Principal } from './types';

/**
 * A seller's read position in a conversation. Conversations count their inbound messages
 * (`inboundCount`, raised in the transaction that stores each one); a read stores the count the
 * seller has seen. Their unread count is the difference, so an inbound message costs no write per
 * seller, and every seller who can see the conversation has a correct count, notified or not.
 */
export interface ReadMark {
  readCount: number;
  lastReadAt: string;
}

export function unreadCount(inboundCount: number, mark: ReadMark | undefined): number {
  return Math.max(0, inboundCount - (mark?.readCount ?? 0));
}

/** Everyone who sees a conversation (the contract's visibility rule, admins aside): assignee and record owners. */
export function conversationViewers(input: {
  assignedTo: Principal;
  assigneeTeamMembers: readonly string[];
  recordOwnerId?: string | undefined;
  recordOwningTeamMembers: readonly string[];
}): string[] {
  const viewers = new Set<string>(input.assignedTo.type === 'seller' ? [input.assignedTo.id] : input.assigneeTeamMembers);
  if (input.recordOwnerId) viewers.add(input.recordOwnerId);
  input.recordOwningTeamMembers.forEach((id) => viewers.add(id));
  return [...viewers].sort();
}
