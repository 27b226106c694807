import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { Deps } from '../deps';
import type { Principal, RecordType } from '../domain/types';
import type { Item } from '../store/dynamo-helpers';
import { getNotification, markPublished, putNotification } from '../store/items/notification';
import { appendTeamNotification, getTeamNotification, markTeamNotificationPublished, recordLeftFeed } from '../store/items/team-feed';
import { readConversationNotifications, unreadNotificationTotal } from '../store/queries/notifications';
import { isExpired } from '../domain/retention';
import { deleteTeamUnreadPointers, markConversationRead, putTeamUnreadPointers, putUnreadPointers, readMarksIn } from '../store/items/read-state';
import { conversationViewers, unreadCount } from '../domain/read-state';
import { cancelScheduled, getMessage } from '../store/items/message';
import { keys } from '../store/keys';
import { displayText } from '../domain/media';
import { forgetExpiredConversation } from './expire-conversation';
import type { ChangedItem } from '../store/stream';
import { DirectoryStore } from '../store/items/directory';
import { RecordStore, shownOnConversationsChanged, toRecord } from '../store/items/record';
import { isSenderIdRecord } from '../store/items/conversation';
import { inboundKindFor, inboundRecipients, notificationId, notificationPreview, teamNotificationId, type NotificationKind } from '../domain/notifications';
import { finalStatuses, reason } from '../domain/status';
import type { MessageStatus } from '../domain/messages';
import { count } from '../observability';
import { sendHints, type LiveDeps } from './live-hints';
import { presentMembers } from '../store/items/live-connection';
import { conversationChange, messageChange, type ConversationChange } from '../domain/live';
import { ConversationStore, type ConversationState } from '../store/items/conversation';
import { readCustomerPartition } from '../store/queries/customer-partition';

export interface NotifierDeps extends LiveDeps {
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
  const before = change.oldImage;
  if (change.eventName === 'REMOVE') {
    if (before?.kind === 'conversation') await conversationRemoved(deps, before, change.byTtl ?? false);
    // An erasure deletes a seller's notifications about the customer: their unread count changes.
    if (before?.kind === 'notification' && !before.read) await hintUnread(deps, [before.sellerId as string]);
    if (before?.kind === 'teamNotification') await teamNotificationRemoved(deps, before, change.byTtl ?? false);
    return 0;
  }
  const item = change.newImage;
  if (!item) return 0;
  if (item.kind === 'notification') {
    if (change.eventName === 'INSERT') {
      await publish(deps, item);
      await hintUnread(deps, [item.sellerId as string]);
      return 1;
    }
    // Read in a tab (or read-all): the count changes for the seller's other tabs; publishing it changes nothing a seller sees.
    if (Boolean(before?.read) !== Boolean(item.read)) await hintUnread(deps, [item.sellerId as string], item.readInTab);
    return 0;
  }
  if (item.kind === 'teamNotification') {
    if (change.eventName !== 'INSERT') return 0;
    await publishToTeam(deps, item, await new DirectoryStore(deps.db, deps.table).teamMembersWithRoles(item.teamId as string));
    await hintUnread(deps, await onlineMembers(deps, item.teamId as string));
    return 1;
  }
  // A seller read past their place in a team feed, or read all of their own: their other tabs' count changes.
  if ((item.kind === 'teamFeedState' && change.eventName === 'MODIFY') || (item.kind === 'notificationState' && before?.readThroughId !== item.readThroughId)) {
    await hintUnread(deps, [item.sellerId as string], item.readInTab);
    return 0;
  }
  if (item.kind === 'readMark') {
    // The seller's other tabs and devices: only they learn of their own reading (not the tab that read).
    await sendHints(deps, [item.sellerId as string], { type: 'conversation', conversationId: readMarkConversation(item), change: 'read' }, { exceptTab: tabOf(item.readInTab) });
    return 0;
  }
  if (item.kind === 'consentChange' && change.eventName === 'INSERT') {
    await consentChanged(deps, item);
    return 0;
  }
  if (item.kind === 'record' && change.eventName === 'MODIFY' && (!before || shownOnConversationsChanged(toRecord(before), toRecord(item)))) {
    await new RecordStore(deps.db, deps.table).propagateOwnership(toRecord(item));
    return 0;
  }
  if (item.kind === 'conversation') {
    await conversationChanged(deps, before, item);
    return 0;
  }
  if (item.kind !== 'message') return 0;
  if (change.eventName === 'INSERT' && item.direction === 'inbound') return notifyInbound(deps, item);
  // A CRM step sent on a seller's behalf is not the seller reading the conversation.
  if (change.eventName === 'INSERT' && item.direction === 'outbound' && item.sentBy && !item.automated) {
    // A seller's own send marks the conversation read for them, up to what it held when they sent.
    const sellerId = item.sentBy as string;
    await markConversationRead(deps.db, deps.table, sellerId, item.conversationId as string, (item.inboundSeen as number | undefined) ?? 0, item.createdAt as string);
    const seller = await new DirectoryStore(deps.db, deps.table).getSeller(sellerId);
    await readConversationNotifications(deps.db, deps.table, { sellerId, teamIds: seller?.teamIds ?? [] }, item.conversationId as string, item.createdAt as string);
    return 0;
  }
  const shown = messageChange(before, item);
  if (shown) await hintViewersOf(deps, item.conversationId as string, shown);
  const was = before?.status as MessageStatus | undefined;
  const now = item.status as MessageStatus;
  if (item.direction === 'outbound' && (now === 'failed' || now === 'undelivered') && !(was && finalStatuses.has(was)) && item.sentBy) {
    await writeNotification(deps, item.sentBy as string, 'delivery_failed', item);
    return 1;
  }
  // Send later: canceled by anything but its author (a reply, an opt-out, a lost role, a missing value) tells the author.
  if (now === 'canceled' && was === 'scheduled' && item.sentBy && (item.statusReason as { code?: string } | undefined)?.code !== 'CanceledBySeller') {
    await writeNotification(deps, item.sentBy as string, 'scheduled_canceled', item);
    return 1;
  }
  return 0;
}

/**
 * Who may get a conversation's live frame now: the sellers it names (assigned seller, record owner) and the members
 * of its teams (assignee, record's owning team) who are online, found without reading every member of a large team.
 * The same visibility as unread pointers; sendHints still checks each one's connections and role.
 */
async function liveViewersOf(deps: Deps, conversation: Item | ConversationState): Promise<string[]> {
  const assignedTo = conversation.assignedTo as Principal;
  const teams = teamsNamedBy(conversation as Item);
  const online = await Promise.all(teams.map((teamId) => onlineMembers(deps, teamId)));
  return conversationViewers({ assignedTo, assigneeTeamMembers: assignedTo.type === 'team' ? online[0]! : [], recordOwnerId: conversation.recordOwnerId as string | undefined, recordOwningTeamMembers: online.flat() });
}

/** The online members of one team (a team feed's change). */
async function onlineMembers(deps: Deps, teamId: string): Promise<string[]> {
  return presentMembers(deps.db, deps.table, teamId, Math.floor(deps.clock.now().getTime() / 1000));
}

/** A conversation's item changed: unread pointers follow, then its viewers hear of it (after, so what they fetch is current). */
async function conversationChanged(deps: NotifierDeps, before: Item | undefined, conversation: Item): Promise<void> {
  if (before?.scheduledOnReply && !conversation.scheduledOnReply) await cancelOnReply(deps, before, conversation);
  if (handedToTeam(before, conversation)) await notifyWholeTeam(deps, conversation);
  const shown = deps.live ? conversationChange(before, conversation) : undefined;
  const pointersChange = needsUnreadPointers(before, conversation);
  if (!shown && !pointersChange) return;
  if (pointersChange) await refreshUnreadPointers(deps, conversation, before);
  if (shown) await sendHints(deps, await liveViewersOf(deps, conversation), { type: 'conversation', conversationId: conversation.id as string, change: shown });
}

/**
 * Send later: the inbound message that cleared a conversation's `scheduledOnReply` cancels those of its scheduled
 * messages (CustomerReplied) that were scheduled before it arrived. Conditional on `scheduled`: one sent or canceled
 * meanwhile stays as it is. The schedule still fires, finds it canceled and is removed.
 */
async function cancelOnReply(deps: NotifierDeps, before: Item, conversation: Item): Promise<void> {
  const repliedAt = conversation.lastInboundAt as string | undefined;
  if (!repliedAt || (conversation.inboundCount as number) <= ((before.inboundCount as number | undefined) ?? 0)) return;
  for (const sk of before.scheduledOnReply as Set<string>) {
    const key = { pk: keys.conversationHead(conversation.id as string).pk, sk };
    const message = await getMessage(deps.db, deps.table, key);
    if (!message || message.status !== 'scheduled' || message.cancelOnReply !== true || (message.createdAt as string) >= repliedAt) continue;
    if (await cancelScheduled(deps.db, deps.table, key, { reason: reason('CustomerReplied'), at: deps.clock.now().toISOString() })) count('ScheduledCanceled');
  }
}

/** A hand-off (it sets `assignedAt`) to a team: a number's reassignment by an admin changes the assignee without one. */
function handedToTeam(before: Item | undefined, conversation: Item): boolean {
  const to = conversation.assignedTo as Principal;
  return to.type === 'team' && typeof conversation.assignedAt === 'string' && conversation.assignedAt !== before?.assignedAt;
}

/**
 * Every member of the team a conversation was handed to hears of it: one notification in the team's feed, written
 * from the stream (which retries until it is written), so no member of a team of any size goes untold.
 */
async function notifyWholeTeam(deps: NotifierDeps, conversation: Item): Promise<void> {
  const teamId = (conversation.assignedTo as Principal).id;
  const at = conversation.assignedAt as string;
  await appendTeamNotification(deps.db, deps.table, {
    teamId,
    id: teamNotificationId(at, `${conversation.id as string}#assigned`, 'conversation_assigned', teamId),
    kind: 'conversation_assigned',
    conversationId: conversation.id as string,
    createdAt: at,
    extra: typeof conversation.assignedBy === 'string' ? { by: conversation.assignedBy } : {},
  });
}

/** A team notification left its feed (retention or an erasure): the members' counts leave it out, and the online ones hear. */
async function teamNotificationRemoved(deps: NotifierDeps, notification: Item, byTtl: boolean): Promise<void> {
  const teamId = notification.teamId as string;
  await recordLeftFeed(deps.db, deps.table, teamId, notification.seq as number, byTtl || isExpired(notification, deps.clock.now()));
  await hintUnread(deps, await onlineMembers(deps, teamId));
}

/** A conversation item went: erased or expired (its viewers hear `erased`), or moved or merged (the item at its new key says so). */
async function conversationRemoved(deps: NotifierDeps, conversation: Item, byTtl: boolean): Promise<void> {
  if (byTtl) await forgetExpiredConversation(deps, conversation);
  if (!deps.live) return;
  if (!byTtl) {
    // A move or merge leaves the head naming the conversation's new item: that item's change tells its viewers.
    const now = await new ConversationStore(deps.db, deps.table).currentKey(conversation.id as string);
    if (now && (now.pk !== conversation.pk || now.sk !== conversation.sk)) return;
  }
  await sendHints(deps, await liveViewersOf(deps, conversation), { type: 'conversation', conversationId: conversation.id as string, change: 'erased' });
}

/** A status or a copied file: the viewers of the conversation as it is now. */
async function hintViewersOf(deps: NotifierDeps, conversationId: string, change: ConversationChange): Promise<void> {
  if (!deps.live) return;
  const conversation = await new ConversationStore(deps.db, deps.table).get(conversationId);
  if (!conversation) return;
  await sendHints(deps, await liveViewersOf(deps, conversation), { type: 'conversation', conversationId: conversation.id, change });
}

/** A consent change of a customer with one business number: every conversation between them. */
async function consentChanged(deps: NotifierDeps, change: Item): Promise<void> {
  if (!deps.live) return;
  const { conversations } = await readCustomerPartition(deps.db, deps.table, change.customerNumber as string);
  for (const conversation of conversations.filter((c) => c.businessNumber === change.businessNumber)) {
    await sendHints(deps, await liveViewersOf(deps, conversation), { type: 'conversation', conversationId: conversation.id, change: 'consent' });
  }
}

/** The bell: each seller's unread count, counted only for those with a connection to tell (not the tab that read, if one did). */
async function hintUnread(deps: NotifierDeps, sellerIds: readonly string[], readInTab?: unknown): Promise<void> {
  const directory = new DirectoryStore(deps.db, deps.table);
  await sendHints(
    deps,
    sellerIds,
    async (sellerId) => ({ type: 'notification', unread: await unreadNotificationTotal(deps.db, deps.table, { sellerId, teamIds: (await directory.getSeller(sellerId))?.teamIds ?? [] }) }),
    { exceptTab: tabOf(readInTab) },
  );
}

const tabOf = (value: unknown) => (typeof value === 'string' ? value : undefined);

/** Read marks written before they named their conversation: it is in their key. */
function readMarkConversation(mark: Item): string {
  return (mark.conversationId as string | undefined) ?? (mark.pk as string).slice('CONV#'.length);
}

/** A new inbound message, a hand-off, a move or an owner change: who has unread messages may differ. */
function needsUnreadPointers(before: Item | undefined, conversation: Item): boolean {
  const inboundCount = (conversation.inboundCount as number | undefined) ?? 0;
  if (inboundCount === 0) return false;
  const sameViewers = before && same(before.assignedTo, conversation.assignedTo) && before.recordOwnerId === conversation.recordOwnerId && before.recordOwningTeamId === conversation.recordOwningTeamId;
  return !(sameViewers && before.inboundCount === inboundCount);
}

/**
 * Keeps the unread pointers ("My SMS" `?unread=true`) in step with a conversation: after an inbound
 * message, a hand-off, a move or an owner change, each seller it names (the assigned seller, the record's owner) who
 * has not read everything gets a pointer, and each team it names one pointer for all its members (each member's read
 * mark decides when they list it): one write per team, whatever its size. Written here, off the inbound transaction.
 */
async function refreshUnreadPointers(deps: NotifierDeps, conversation: Item, before?: Item): Promise<void> {
  const inboundCount = (conversation.inboundCount as number | undefined) ?? 0;
  const assignedTo = conversation.assignedTo as Principal;
  const sellers = [...new Set([...(assignedTo.type === 'seller' ? [assignedTo.id] : []), ...(typeof conversation.recordOwnerId === 'string' ? [conversation.recordOwnerId] : [])])];
  const teams = teamsNamedBy(conversation);
  const pointer = { id: conversation.id as string, inboundCount, latestInboundAt: (conversation.lastInboundAt ?? conversation.lastMessageAt) as string };
  const marks = await readMarksIn(deps.db, deps.table, conversation.id as string, sellers);
  await putUnreadPointers(deps.db, deps.table, pointer, sellers.filter((sellerId) => unreadCount(inboundCount, marks.get(sellerId)) > 0));
  await putTeamUnreadPointers(deps.db, deps.table, pointer, teams);
  // A team that no longer sees it (handed off, moved, owner changed) loses its pointer: its members' lists stay short.
  const teamsBefore = before ? teamsNamedBy(before) : [];
  await deleteTeamUnreadPointers(deps.db, deps.table, conversation.id as string, teamsBefore.filter((teamId) => !teams.includes(teamId)));
}

function teamsNamedBy(conversation: Item): string[] {
  const assignedTo = conversation.assignedTo as Principal | undefined;
  return [...new Set([...(assignedTo?.type === 'team' ? [assignedTo.id] : []), ...(typeof conversation.recordOwningTeamId === 'string' ? [conversation.recordOwningTeamId] : [])])];
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

/**
 * Who hears of an inbound message: the assignee team's members (or, for a seller's number, the record's owning team
 * when the record has no owning seller) through one notification in that team's feed; everyone else the rule names
 * (the assigned seller, the record's owner, a second team's other members) through their own.
 */
async function notifyInbound(deps: NotifierDeps, message: Item): Promise<number> {
  // An erasure may have run since the message was stored: never quote a message that is gone.
  if (!(await getMessage(deps.db, deps.table, { pk: message.pk as string, sk: message.sk as string }))) return 0;
  const directory = new DirectoryStore(deps.db, deps.table);
  const assignedTo = message.assignedTo as Principal;
  const owningTeamId = message.recordOwnerId ? undefined : (message.recordOwningTeamId as string | undefined);
  // The owning team hears of a message only when the record has no owning seller: read its members only then.
  const members = await teamMembers(deps, assignedTo, owningTeamId);
  const recipients = inboundRecipients({ assignedTo, ...members, recordOwnerId: message.recordOwnerId as string | undefined });
  const feedTeam = assignedTo.type === 'team' ? assignedTo.id : owningTeamId;
  const inFeed = new Set(assignedTo.type === 'team' ? members.assigneeTeamMembers : members.recordOwningTeamMembers);
  const personal = feedTeam ? recipients.filter((sellerId) => !inFeed.has(sellerId)) : recipients;
  const ref = message.record as { type: RecordType; id: string };
  // A sender id (not a phone number) has no record: its notification names none.
  const onRecord = !isSenderIdRecord(ref);
  const [sellerList, record] = await Promise.all([directory.getSellers(personal), onRecord ? new RecordStore(deps.db, deps.table).get(ref.type, ref.id) : undefined]);
  const sellers = new Map(sellerList.map((s) => [s.id, s]));
  // What a push notification shows: "Ada Lovelace: Thanks, call me tomorrow".
  const about = { customerNumber: message.from, ...(onRecord ? { record: { type: ref.type, id: ref.id, name: record?.name ?? '' } } : {}) };
  if (feedTeam) {
    const createdAt = message.createdAt as string;
    await appendTeamNotification(deps.db, deps.table, {
      teamId: feedTeam,
      id: teamNotificationId(createdAt, message.id as string, 'inbound_message', feedTeam),
      kind: 'inbound_message',
      conversationId: message.conversationId as string,
      messageId: message.id as string,
      createdAt,
      expiresAt: message.expiresAt as number | undefined,
      // Each member sees the text only if they may read it: decided when they read it (and when it is published).
      extra: { preview: notificationPreview(displayText(message.body as string, message.media as { contentType: string }[] | undefined)), ...about },
    });
  }
  for (const sellerId of personal) await writeNotification(deps, sellerId, inboundKindFor(sellers.get(sellerId)?.roles), message, about);
  return personal.length + (feedTeam ? 1 : 0);
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
      ...(kind === 'delivery_failed' || kind === 'scheduled_canceled' ? { statusReason: message.statusReason } : {}),
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

/** Recipients per publish: a `String.Array` attribute of this many ids stays far below SNS's 256 KB message. */
const SELLERS_PER_PUBLISH = 2000;

/**
 * Publishes a team notification once for all its members (`sellerIds`, a `String.Array` attribute: a subscription's
 * filter policy on `sellerIds` matches any element). Members who may read the text get it; the others are told a
 * message arrived (`insufficient_privileges`), in a second publish: at most two for a team of any size up to 2,000.
 */
async function publishToTeam(deps: NotifierDeps, notification: Item, members: readonly { sellerId: string; salesperson: boolean }[]): Promise<void> {
  if (!deps.topicArn || members.length === 0) return;
  const teamId = notification.teamId as string;
  const current = await getTeamNotification(deps.db, deps.table, teamId, notification.id as string);
  if (!current || current.publishedAt) return;
  const kind = current.notificationKind as NotificationKind;
  const groups: { kind: NotificationKind; sellerIds: string[] }[] = [];
  if (kind === 'inbound_message') {
    groups.push({ kind: 'inbound_message', sellerIds: members.filter((m) => m.salesperson).map((m) => m.sellerId) }, { kind: 'insufficient_privileges', sellerIds: members.filter((m) => !m.salesperson).map((m) => m.sellerId) });
  } else {
    groups.push({ kind, sellerIds: members.map((m) => m.sellerId) });
  }
  for (const group of groups) {
    for (let i = 0; i < group.sellerIds.length; i += SELLERS_PER_PUBLISH) {
      const sellerIds = group.sellerIds.slice(i, i + SELLERS_PER_PUBLISH);
      await deps.sns.send(
        new PublishCommand({
          TopicArn: deps.topicArn,
          Message: JSON.stringify({
            id: current.id,
            kind: group.kind,
            teamId,
            conversationId: current.conversationId,
            messageId: current.messageId,
            createdAt: current.createdAt,
            ...(group.kind === 'inbound_message' ? { preview: current.preview, customerNumber: current.customerNumber, record: current.record } : {}),
            ...(group.kind === 'conversation_assigned' && current.by ? { by: current.by } : {}),
          }),
          MessageAttributes: {
            sellerIds: { DataType: 'String.Array', StringValue: JSON.stringify(sellerIds) },
            kind: { DataType: 'String', StringValue: group.kind },
          },
        }),
      );
      count('NotificationsPublished');
    }
  }
  await markTeamNotificationPublished(deps.db, deps.table, teamId, current.id as string, deps.clock.now().toISOString());
}
