import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { Deps } from '../deps';
import type { Principal, RecordType } from '../domain/types';
import type { Item } from '../store/dynamo-helpers';
import { getNotification, markAllRead, markPublished, putNotification } from '../store/items/notification';
import { markConversationRead, putUnreadPointers, readMarksIn } from '../store/items/read-state';
import { conversationViewers, unreadCount } from '../domain/read-state';
import { getMessage } from '../store/items/message';
import { displayText } from '../domain/media';
import { forgetExpiredConversation } from './expire-conversation';
import type { ChangedItem } from '../store/stream';
import { DirectoryStore } from '../store/items/directory';
import { RecordStore, shownOnConversationsChanged, toRecord } from '../store/items/record';
import { isSenderIdRecord } from '../store/items/conversation';
import { inboundKindFor, inboundRecipients, notificationId, notificationPreview, type NotificationKind } from '../domain/notifications';
import { finalStatuses } from '../domain/status';
import type { MessageStatus } from '../domain/messages';
import { count } from '../observability';

export interface NotifierDeps extends Deps {
  sns: SNSClient;
  topicArn: string | undefined;
}

export type { ChangedItem };

/**
 * Reacts to one table change. A message change writes notification items (idempotent: ids are
 * deterministic and puts conditional); a notification insert publishes it to SNS (then marks it).
 * Throws when anything fails, so the stream retries from this record and nothing is lost.
 */
export async function handleChange(deps: NotifierDeps, change: ChangedItem): Promise<number> {
  if (change.eventName === 'REMOVE' && change.byTtl && change.oldImage?.kind === 'conversation') {
    await forgetExpiredConversation(deps, change.oldImage);
    return 0;
  }
  const item = change.newImage;
  if (!item) return 0;
  if (item.kind === 'notification' && change.eventName === 'INSERT') {
    await publish(deps, item);
    return 1;
  }
  if (item.kind === 'record' && change.eventName === 'MODIFY' && (!change.oldImage || shownOnConversationsChanged(toRecord(change.oldImage), toRecord(item)))) {
    await new RecordStore(deps.db, deps.table).propagateOwnership(toRecord(item));
    return 0;
  }
  if (item.kind === 'conversation') {
    await refreshUnreadPointers(deps, change.oldImage, item);
    return 0;
  }
  if (item.kind !== 'message') return 0;
  if (change.eventName === 'INSERT' && item.direction === 'inbound') return notifyInbound(deps, item);
  if (change.eventName === 'INSERT' && item.direction === 'outbound' && item.sentBy) {
    // A seller's own send marks the conversation read for them, up to what it held when they sent.
    await markConversationRead(deps.db, deps.table, item.sentBy as string, item.conversationId as string, (item.inboundSeen as number | undefined) ?? 0, item.createdAt as string);
    await markAllRead(deps.db, deps.table, item.sentBy as string, item.createdAt as string, item.conversationId as string);
    return 0;
  }
  const was = change.oldImage?.status as MessageStatus | undefined;
  const now = item.status as MessageStatus;
  if (item.direction === 'outbound' && (now === 'failed' || now === 'undelivered') && !(was && finalStatuses.has(was)) && item.sentBy) {
    await writeNotification(deps, item.sentBy as string, 'delivery_failed', item);
    return 1;
  }
  return 0;
}


/**
 * Keeps the unread pointers ("My SMS" `?unread=true`) in step with a conversation: after an inbound
 * message, a hand-off, a move or an owner change, every seller who sees it and has not read
 * everything gets a pointer. Written here, off the inbound transaction, so an inbound message costs
 * no write per seller on the request path.
 */
async function refreshUnreadPointers(deps: NotifierDeps, before: Item | undefined, conversation: Item): Promise<void> {
  const inboundCount = (conversation.inboundCount as number | undefined) ?? 0;
  if (inboundCount === 0) return;
  const sameViewers = before && same(before.assignedTo, conversation.assignedTo) && before.recordOwnerId === conversation.recordOwnerId && before.recordOwningTeamId === conversation.recordOwningTeamId;
  if (sameViewers && before.inboundCount === inboundCount) return;
  const assignedTo = conversation.assignedTo as Principal;
  const members = await teamMembers(deps, assignedTo, conversation.recordOwningTeamId as string | undefined);
  const viewers = conversationViewers({ assignedTo, ...members, recordOwnerId: conversation.recordOwnerId as string | undefined });
  const marks = await readMarksIn(deps.db, deps.table, conversation.id as string, viewers);
  const unread = viewers.filter((sellerId) => unreadCount(inboundCount, marks.get(sellerId)) > 0);
  await putUnreadPointers(deps.db, deps.table, { id: conversation.id as string, inboundCount, latestInboundAt: (conversation.lastInboundAt ?? conversation.lastMessageAt) as string }, unread);
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** The members of the assignee team and of the record's owning team (none for a seller or no team), read together. */
async function teamMembers(deps: Deps, assignedTo: Principal, owningTeamId: string | undefined) {
  const directory = new DirectoryStore(deps.db, deps.table);
  const [assigneeTeamMembers, recordOwningTeamMembers] = await Promise.all([
    assignedTo.type === 'team' ? directory.teamMemberIds(assignedTo.id) : [],
    owningTeamId ? directory.teamMemberIds(owningTeamId) : [],
  ]);
  return { assigneeTeamMembers, recordOwningTeamMembers };
}

async function notifyInbound(deps: NotifierDeps, message: Item): Promise<number> {
  // An erasure may have run since the message was stored: never quote a message that is gone.
  if (!(await getMessage(deps.db, deps.table, { pk: message.pk as string, sk: message.sk as string }))) return 0;
  const directory = new DirectoryStore(deps.db, deps.table);
  const assignedTo = message.assignedTo as Principal;
  // The owning team hears of a message only when the record has no owning seller: read its members only then.
  const members = await teamMembers(deps, assignedTo, message.recordOwnerId ? undefined : (message.recordOwningTeamId as string | undefined));
  const recipients = inboundRecipients({ assignedTo, ...members, recordOwnerId: message.recordOwnerId as string | undefined });
  const ref = message.record as { type: RecordType; id: string };
  // A sender id (not a phone number) has no record: its notification names none.
  const onRecord = !isSenderIdRecord(ref);
  const [sellerList, record] = await Promise.all([directory.getSellers(recipients), onRecord ? new RecordStore(deps.db, deps.table).get(ref.type, ref.id) : undefined]);
  const sellers = new Map(sellerList.map((s) => [s.id, s]));
  // What a push notification shows: "Ada Lovelace: Thanks, call me tomorrow".
  const about = { customerNumber: message.from, ...(onRecord ? { record: { type: ref.type, id: ref.id, name: record?.name ?? '' } } : {}) };
  for (const sellerId of recipients) await writeNotification(deps, sellerId, inboundKindFor(sellers.get(sellerId)?.roles), message, about);
  return recipients.length;
}

async function writeNotification(deps: NotifierDeps, sellerId: string, kind: NotificationKind, message: Item, about?: { customerNumber: unknown; record?: { type: RecordType; id: string; name: string } }): Promise<void> {
  const createdAt = message.createdAt as string;
  await putNotification(deps.db, deps.table, {
    id: notificationId(createdAt, message.id as string, kind, sellerId),
    sellerId,
    kind,
    conversationId: message.conversationId as string,
    messageId: message.id as string,
    createdAt,
    expiresAt: message.expiresAt as number | undefined,
    extra: {
      // Only a seller with SMS privileges gets the text.
      ...(kind === 'inbound_message' ? { preview: notificationPreview(displayText(message.body as string, message.media as { contentType: string }[] | undefined)), ...about } : {}),
      ...(kind === 'delivery_failed' ? { statusReason: message.statusReason } : {}),
    },
  });
}

/** Publishes once per notification: a re-run sees `publishedAt` and skips. At-least-once if we crash in between. */
async function publish(deps: NotifierDeps, notification: Item): Promise<void> {
  if (!deps.topicArn) return;
  const current = await getNotification(deps.db, deps.table, notification.sellerId as string, notification.id as string);
  if (!current || current.publishedAt) return;
  await deps.sns.send(
    new PublishCommand({
      TopicArn: deps.topicArn,
      Message: JSON.stringify({
        id: current.id,
        kind: current.notificationKind,
        sellerId: current.sellerId,
        conversationId: current.conversationId,
        messageId: current.messageId,
        createdAt: current.createdAt,
        ...(current.notificationKind === 'inbound_message' ? { preview: current.preview, customerNumber: current.customerNumber, record: current.record } : {}),
        ...(current.statusReason ? { statusReason: current.statusReason } : {}),
      }),
      MessageAttributes: {
        sellerId: { DataType: 'String', StringValue: current.sellerId as string },
        kind: { DataType: 'String', StringValue: current.notificationKind as string },
      },
    }),
  );
  count('NotificationsPublished');
  await markPublished(deps.db, deps.table, current.sellerId as string, current.id as string, deps.clock.now().toISOString());
}
