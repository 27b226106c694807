import { createHash } from 'node:crypto';
import type { Principal, RecordType } from './types';
import { isSalesperson } from './visibility';

export const notificationKinds = ['inbound_message', 'insufficient_privileges', 'delivery_failed', 'conversation_assigned', 'scheduled_canceled'] as const;
export type NotificationKind = (typeof notificationKinds)[number];

export interface Notification {
  id: string;
  kind: NotificationKind;
  conversationId?: string;
  messageId?: string;
  createdAt: string;
  read: boolean;
  /** inbound_message only (never for insufficient_privileges): the first 160 characters of the body. */
  preview?: string;
  customerNumber?: string;
  record?: { type: RecordType; id: string; name: string };
  /** conversation_assigned: the seller who handed the conversation off. */
  by?: string;
  /** delivery_failed and scheduled_canceled: why. */
  statusReason?: { code: string; message: string };
  /** Set when the reader may not (or may no longer) read what the notification quoted. */
  withheld?: true;
}

/**
 * A notification as its reader may see it now, not as it was written: a reader who has lost the
 * `salesperson` role, or can no longer see the conversation, gets no preview and no customer number.
 */
export function notificationFor(viewer: { readsBodies: boolean }, notification: Notification, seesConversationNow: boolean): Notification {
  if (notification.preview === undefined && notification.customerNumber === undefined) return notification;
  if (viewer.readsBodies && seesConversationNow) return notification;
  const { preview: _preview, customerNumber: _customer, ...rest } = notification;
  return { ...rest, withheld: true };
}

/** A notification's preview: the first 160 characters of the message body. */
export function notificationPreview(body: string): string {
  return [...body].slice(0, 160).join('');
}

/**
 * Who hears of an inbound message: the seller B is assigned to (every member, for a team number)
 * and the record's owner (its owning team's members when it has no owning seller).
 */
export function inboundRecipients(input: {
  assignedTo: Principal;
  assigneeTeamMembers: readonly string[];
  recordOwnerId?: string | undefined;
  recordOwningTeamMembers: readonly string[];
}): string[] {
  const recipients = new Set<string>();
  if (input.assignedTo.type === 'seller') recipients.add(input.assignedTo.id);
  else input.assigneeTeamMembers.forEach((id) => recipients.add(id));
  if (input.recordOwnerId) recipients.add(input.recordOwnerId);
  else input.recordOwningTeamMembers.forEach((id) => recipients.add(id));
  return [...recipients].sort();
}

/** A recipient without SMS privileges is told that a message arrived, without its text. */
export function inboundKindFor(roles: readonly string[] | undefined): NotificationKind {
  return isSalesperson({ roles }) ? 'inbound_message' : 'insufficient_privileges';
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * Deterministic and time-ordered: the same event always yields the same id (stream re-runs write
 * nothing twice), and ids sort by the time of the message.
 */
export function notificationId(createdAt: string, messageId: string, kind: NotificationKind, sellerId: string): string {
  const head = timeHead(createdAt);
  const digest = createHash('sha256').update(`${messageId}|${kind}|${sellerId}`).digest();
  let tail = '';
  for (let i = 0; i < 16; i++) tail += CROCKFORD[digest[i]! % 32];
  return head + tail;
}

function timeHead(at: string): string {
  let time = new Date(at).getTime();
  let head = '';
  for (let i = 0; i < 10; i++) {
    head = CROCKFORD[time % 32] + head;
    time = Math.floor(time / 32);
  }
  return head;
}

/** The largest notification id of a moment: read-all at `at` reads every id up to it (every notification created by then). */
export function lastNotificationIdAt(at: string): string {
  return timeHead(at) + 'Z'.repeat(16);
}

/** A team's notification: one id for every member (the team stands where a seller's id would). */
export function teamNotificationId(createdAt: string, subjectId: string, kind: NotificationKind, teamId: string): string {
  return notificationId(createdAt, subjectId, kind, `team:${teamId}`);
}

/**
 * A team notification as one member may see it now: a member without SMS privileges is told a message arrived,
 * without its text or the customer (the kind a seller's own notification would have had).
 */
export function teamNotificationFor(readsBodies: boolean, notification: Notification): Notification {
  if (notification.kind !== 'inbound_message' || readsBodies) return notification;
  const { preview: _preview, customerNumber: _customer, record: _record, ...rest } = notification;
  return { ...rest, kind: 'insufficient_privileges' };
}
