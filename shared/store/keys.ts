/**
 * Every pk/sk/GSI value of the table is built here, and nowhere else.
 * Item types and their keys are listed in the README's access-pattern table.
 */
import { templateNameSkeleton } from '../domain/template-name';
import type { Principal, RecordType } from '../domain/types';

export type { Principal, RecordType };

export type Key = { pk: string; sk: string };

const PROFILE = 'PROFILE';
const ALL_CONVERSATION_SHARDS = 4;

function allConversationsShard(conversationId: string): number {
  let hash = 0;
  for (const ch of conversationId) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
  return hash % ALL_CONVERSATION_SHARDS;
}

/** Names compare case-insensitively in the record lookup. */
function nameKey(name: string): string {
  return name.normalize('NFC').trim().toLocaleLowerCase('en-US');
}

function recordNameOrder(r: { type: RecordType; id: string; name: string }): string {
  return `${nameKey(r.name)}#${r.type}#${r.id}`;
}

/** Feed positions sort as strings. */
function feedSeq(seq: number): string {
  return String(seq).padStart(12, '0');
}

export const keys = {
  seller: (sellerId: string): Key => ({ pk: `SELLER#${sellerId}`, sk: PROFILE }),
  /** A seller's own availability switch (apart from the profile, so an admin's profile write never resets it). */
  availability: (sellerId: string): Key => ({ pk: `SELLER#${sellerId}`, sk: 'AVAILABILITY' }),
  team: (teamId: string): Key => ({ pk: `TEAM#${teamId}`, sk: PROFILE }),
  /** Auto-assignment's turn: the member who got the team's last new conversation (apart from TEAM#, which callbacks never write). */
  teamRoundRobin: (teamId: string): Key => ({ pk: `TURN#${teamId}`, sk: 'ROUNDROBIN' }),
  /** Response times: one small bucket per principal per UTC day, all principals of a kind and day in one partition. */
  responseBucket: (principal: Principal, day: string): Key => ({ pk: `RESPONSES#${principal.type}#${day}`, sk: principal.id }),
  responseDay: (type: Principal['type'], day: string): string => `RESPONSES#${type}#${day}`,
  teamMember: (teamId: string, sellerId: string): Key => ({ pk: `TEAM#${teamId}`, sk: `MEMBER#${sellerId}` }),
  teamMembersPrefix: () => 'MEMBER#',
  /** gsi1 (sparse): who a conversation can be handed to (salesperson sellers and teams), by lower-cased name. */
  assigneeListing: (name: string, type: 'seller' | 'team', id: string) => ({ gsi1pk: 'ASSIGNEES', gsi1sk: `${name.toLocaleLowerCase('en')}#${type}#${id}` }),
  assigneeListingPartition: 'ASSIGNEES',

  number: (e164: string): Key => ({ pk: `NUMBER#${e164}`, sk: PROFILE }),
  /** gsi1: numbers assigned to a seller or a team. */
  numbersOfAssignee: (assignee: Principal) => ({ gsi1pk: `ASSIGNEE#${assignee.type}#${assignee.id}` }),
  numberInAssigneeList: (assignee: Principal, e164: string) => ({
    gsi1pk: `ASSIGNEE#${assignee.type}#${assignee.id}`,
    gsi1sk: `NUMBER#${e164}`,
  }),

  record: (type: RecordType, id: string): Key => ({ pk: `RECORD#${type}#${id}`, sk: PROFILE }),
  /** One item per distinct number a record holds: all records with a number are one Query away. */
  phoneIndex: (e164: string, type: RecordType, id: string): Key => ({ pk: `PHONE#${e164}`, sk: `RECORD#${type}#${id}` }),
  phonePartition: (e164: string) => `PHONE#${e164}`,
  phoneRecordPrefix: 'RECORD#',
  /** Exists once a lead was created for an unknown number: makes racing first messages create one lead. */
  leadClaim: (e164: string): Key => ({ pk: `PHONE#${e164}`, sk: 'LEADCLAIM' }),
  optOut: (customer: string, business: string): Key => ({ pk: `PHONE#${customer}`, sk: `OPTOUT#${business}` }),
  optOutPrefix: 'OPTOUT#',
  /** An opportunity's link to each of its contacts, under the contact's partition. */
  opportunityLink: (contactId: string, opportunityId: string): Key => ({
    pk: `RECORD#contact#${contactId}`,
    sk: `OPPORTUNITY#${opportunityId}`,
  }),
  opportunityLinkPrefix: 'OPPORTUNITY#',

  /** The conversation lives in the customer's partition, keyed by its natural identity (B, record). */
  conversation: (customer: string, business: string, type: RecordType, recordId: string): Key => ({
    pk: `PHONE#${customer}`,
    sk: `CONV#${business}#${type}#${recordId}`,
  }),
  conversationPrefix: 'CONV#',
  /** Written once; maps a conversation id to its current key (which changes when it moves). */
  conversationHead: (conversationId: string): Key => ({ pk: `CONV#${conversationId}`, sk: 'HEAD' }),
  conversationIndexes: (c: {
    id: string;
    lastMessageAt: string;
    record: { type: RecordType; id: string };
    assignedTo: Principal;
    recordOwnerId?: string | undefined;
    recordOwningTeamId?: string | undefined;
  }) => {
    const order = `${c.lastMessageAt}#${c.id}`;
    return {
      gsi1pk: `CONVS#RECORD#${c.record.type}#${c.record.id}`,
      gsi1sk: order,
      gsi2pk: `CONVS#ASSIGNEE#${c.assignedTo.type}#${c.assignedTo.id}`,
      gsi2sk: order,
      ...(c.recordOwnerId ? { gsi3pk: `CONVS#OWNER#seller#${c.recordOwnerId}`, gsi3sk: order } : {}),
      ...(c.recordOwningTeamId ? { gsi4pk: `CONVS#OWNER#team#${c.recordOwningTeamId}`, gsi4sk: order } : {}),
      gsi5pk: `CONVS#ALL#${allConversationsShard(c.id)}`,
      gsi5sk: order,
    };
  },
  allConversationsShards: () => Array.from({ length: ALL_CONVERSATION_SHARDS }, (_, shard) => `CONVS#ALL#${shard}`),
  conversationsOfRecord: (type: RecordType, id: string) => `CONVS#RECORD#${type}#${id}`,
  conversationsOfAssignee: (p: Principal) => `CONVS#ASSIGNEE#${p.type}#${p.id}`,
  conversationsOfOwnerSeller: (sellerId: string) => `CONVS#OWNER#seller#${sellerId}`,
  conversationsOfOwnerTeam: (teamId: string) => `CONVS#OWNER#team#${teamId}`,

  message: (conversationId: string, createdAt: string, messageId: string): Key => ({
    pk: `CONV#${conversationId}`,
    sk: `MSG#${createdAt}#${messageId}`,
  }),
  messagePrefix: 'MSG#',
  /** gsi1 (sparse): outbound messages still `queued`, so a sweeper finds sends interrupted before the provider answered. */
  queuedMessage: (messageId: string, createdAt: string) => ({ gsi1pk: `QUEUED#${allConversationsShard(messageId)}`, gsi1sk: createdAt }),
  queuedShards: () => Array.from({ length: ALL_CONVERSATION_SHARDS }, (_, shard) => `QUEUED#${shard}`),

  /** gsi1 (sparse): a seller's messages still `scheduled`, soonest first (GET /me/scheduled). */
  scheduledMessage: (sellerId: string, scheduledFor: string, messageId: string) => ({ gsi1pk: `SCHEDULED#${sellerId}`, gsi1sk: `${scheduledFor}#${messageId}` }),
  scheduledPartition: (sellerId: string) => `SCHEDULED#${sellerId}`,
  /** A scheduled message's id → its key (PATCH and DELETE /messages/{id} name it by id alone). */
  scheduledPointer: (messageId: string): Key => ({ pk: `SCHEDULE#${messageId}`, sk: 'POINTER' }),
  /** One CRM sequence step run: its existence makes a repeated SmsStepDue send nothing. */
  stepRun: (stepRunId: string): Key => ({ pk: `STEPRUN#${stepRunId}`, sk: 'RUN' }),

  /** Provider message id → our message; its existence also de-duplicates inbound deliveries. */
  providerMessage: (provider: string, providerMessageId: string): Key => ({
    pk: `PMSG#${provider}#${providerMessageId}`,
    sk: 'POINTER',
  }),
  /** A delivery report that arrived before the send recorded the provider id. */
  pendingReport: (provider: string, providerMessageId: string, reportId: string): Key => ({
    pk: `PMSG#${provider}#${providerMessageId}`,
    sk: `REPORT#${reportId}`,
  }),
  pendingReportPrefix: 'REPORT#',

  template: (templateId: string): Key => ({ pk: `TEMPLATE#${templateId}`, sk: PROFILE }),
  templateList: (name: string, templateId: string) => ({ gsi1pk: 'TEMPLATES', gsi1sk: `${name.toLowerCase()}#${templateId}` }),
  templatesPartition: 'TEMPLATES',
  /** Claims a template name, case-insensitively: names are unique (a second claim fails its condition). */
  /** One claim per name skeleton: names that look alike ("W\u0435lcome", "Welcome") are the same name. */
  templateName: (name: string): Key => ({ pk: `TEMPLATE#NAME#${templateNameSkeleton(name)}`, sk: 'CLAIM' }),

  notification: (sellerId: string, notificationId: string): Key => ({ pk: `SELLER#${sellerId}`, sk: `NOTIF#${notificationId}` }),
  notificationPrefix: 'NOTIF#',
  unreadNotification: (sellerId: string, notificationId: string) => ({ gsi1pk: `UNREAD#${sellerId}`, gsi1sk: notificationId }),
  /** Unread notifications written before the unread counter (round 3 and earlier), until migration 0011 counts them. */
  unreadPartition: (sellerId: string) => `UNREAD#${sellerId}`,
  /** gsi1 (sparse): a seller's unread notifications that their counter counts. */
  countedUnreadNotification: (sellerId: string, notificationId: string) => ({ gsi1pk: `UNREADN#${sellerId}`, gsi1sk: notificationId }),
  countedUnreadPartition: (sellerId: string) => `UNREADN#${sellerId}`,
  /** A seller's notification state: the unread counter and the read-all position. */
  notificationState: (sellerId: string): Key => ({ pk: `SELLER#${sellerId}`, sk: 'NOTIFSTATE' }),

  /** A team's feed: one notification for every member (`TEAM#id`, `NOTIF#id`), numbered by its head. */
  teamNotification: (teamId: string, notificationId: string): Key => ({ pk: `TEAM#${teamId}`, sk: `NOTIF#${notificationId}` }),
  /** The feed's head: how many notifications it has held (`seq`), which ones expired or were erased. */
  teamFeedHead: (teamId: string): Key => ({ pk: `TEAM#${teamId}`, sk: 'FEEDHEAD' }),
  /** gsi1: a team feed in the order it was written, so "after a seller's cursor" is one key range. */
  teamFeedOrder: (teamId: string, seq: number) => ({ gsi1pk: `TEAMFEED#${teamId}`, gsi1sk: feedSeq(seq) }),
  teamFeedPartition: (teamId: string) => `TEAMFEED#${teamId}`,
  feedSeq: (seq: number) => feedSeq(seq),
  /** A member's place in a team feed: read up to `cursorSeq`, joined at `joinedSeq`, `readAbove` read one by one past it. */
  teamFeedState: (sellerId: string, teamId: string): Key => ({ pk: `SELLER#${sellerId}`, sk: `FEEDSTATE#TEAM#${teamId}` }),
  /** A member read one team notification (past their cursor). */
  teamFeedRead: (sellerId: string, teamId: string, seq: number): Key => ({ pk: `SELLER#${sellerId}`, sk: `FEEDREAD#${teamId}#${feedSeq(seq)}` }),
  teamFeedReadPrefix: (teamId: string) => `FEEDREAD#${teamId}#`,

  /** A seller's read position in a conversation: the conversation's inbound count when they last read it. */
  readMark: (conversationId: string, sellerId: string): Key => ({ pk: `CONV#${conversationId}`, sk: `READ#${sellerId}` }),
  /**
   * One per (seller, conversation) that had unread inbound messages when last written (asynchronously,
   * from the stream): the index behind "My SMS" `?unread=true`. gsi1 orders them by latest inbound.
   */
  unreadConversation: (sellerId: string, conversationId: string): Key => ({ pk: `SELLER#${sellerId}`, sk: `UNREADCONV#${conversationId}` }),
  unreadConversationOrder: (sellerId: string, latestInboundAt: string, conversationId: string) => ({ gsi1pk: `UNREADCONVS#${sellerId}`, gsi1sk: `${latestInboundAt}#${conversationId}` }),
  unreadConversationsPartition: (sellerId: string) => `UNREADCONVS#${sellerId}`,
  /** A team's unread pointer: one per conversation the team sees, whatever its size (each member's read mark decides). */
  teamUnreadConversation: (teamId: string, conversationId: string): Key => ({ pk: `TEAM#${teamId}`, sk: `UNREADCONV#${conversationId}` }),
  teamUnreadConversationOrder: (teamId: string, latestInboundAt: string, conversationId: string) => ({ gsi1pk: `UNREADCONVS#TEAM#${teamId}`, gsi1sk: `${latestInboundAt}#${conversationId}` }),
  teamUnreadConversationsPartition: (teamId: string) => `UNREADCONVS#TEAM#${teamId}`,

  /** A conversation's timeline entry (moved, merged, assigned), written in the transaction of the change. */
  conversationEvent: (conversationId: string, at: string, eventId: string): Key => ({ pk: `CONV#${conversationId}`, sk: `EVENT#${at}#${eventId}` }),
  conversationEventPrefix: 'EVENT#',
  /** The consent history of a customer with one business number, kept apart from the current opt-out state. */
  consentChange: (customer: string, business: string, at: string, changeId: string): Key => ({ pk: `PHONE#${customer}`, sk: `CONSENT#${business}#${at}#${changeId}` }),
  consentHistoryPrefix: (business: string) => `CONSENT#${business}#`,

  /**
   * The record lookup's name index, on the record item itself: by owner (gsi3), owning team (gsi4) and,
   * for admins, by the name's first two letters (gsi5). Sort key: lower-case name, type, id.
   */
  recordNameIndexes: (r: { type: RecordType; id: string; name: string; ownerId?: string | undefined; owningTeamId?: string | undefined }) => {
    const order = recordNameOrder(r);
    return {
      ...(r.ownerId ? { gsi3pk: `NAMES#OWNER#seller#${r.ownerId}`, gsi3sk: order } : {}),
      ...(r.owningTeamId ? { gsi4pk: `NAMES#OWNER#team#${r.owningTeamId}`, gsi4sk: order } : {}),
      gsi5pk: `NAMES#ALL#${nameKey(r.name).slice(0, 2)}`,
      gsi5sk: order,
    };
  },
  recordNamesOfOwnerSeller: (sellerId: string) => `NAMES#OWNER#seller#${sellerId}`,
  recordNamesOfOwnerTeam: (teamId: string) => `NAMES#OWNER#team#${teamId}`,
  /** Admins' lookup: `prefix` is at least two characters, so one shard holds every match. */
  recordNamesStartingWith: (prefix: string) => `NAMES#ALL#${nameKey(prefix).slice(0, 2)}`,
  recordNamePrefix: (prefix: string) => nameKey(prefix),

  /**
   * gsi2 on items about a conversation stored in other partitions (notifications, unread pointers):
   * erasure finds them with one Query per conversation.
   */
  aboutConversation: (conversationId: string, item: Key) => ({ gsi2pk: `ABOUT#CONV#${conversationId}`, gsi2sk: `${item.pk}#${item.sk}` }),
  aboutConversationPartition: (conversationId: string) => `ABOUT#CONV#${conversationId}`,

  /** An erasure's audit entry, by keyed hash of the number; gsi1 lists them newest first. */
  erasure: (numberHash: string): Key => ({ pk: `ERASURE#${numberHash}`, sk: 'AUDIT' }),
  erasureList: (startedAt: string, numberHash: string) => ({ gsi1pk: 'ERASURES', gsi1sk: `${startedAt}#${numberHash}` }),
  erasuresPartition: 'ERASURES',

  /** A seller's open live connections (WebSocket), one map of connection id → token expiry: a whole team is one BatchGetItem. */
  // Apart from SELLER#: the live function and the notifier write it, and never a seller's profile (roles).
  liveConnections: (sellerId: string): Key => ({ pk: `LIVESELLER#${sellerId}`, sk: 'LIVE' }),
  /** A seller of the team had the console open lately (until `expiresAt`): who may get a team's frames, without reading every member. */
  liveTeamMember: (teamId: string, sellerId: string): Key => ({ pk: `LIVETEAM#${teamId}`, sk: `SELLER#${sellerId}` }),
  liveTeamPartition: (teamId: string) => `LIVETEAM#${teamId}`,
  /** A live connection → its seller: what `$disconnect` (which knows only the connection) needs to forget it. */
  liveConnection: (connectionId: string): Key => ({ pk: `LIVE#${connectionId}`, sk: 'CONNECTION' }),

  /** A seller's outbound MMS upload, until a message uses it or it expires (TTL, 24 hours). */
  upload: (mediaId: string): Key => ({ pk: `UPLOAD#${mediaId}`, sk: 'UPLOAD' }),

  idempotency: (sellerId: string, idempotencyKey: string): Key => ({ pk: `IDEMPOTENCY#${sellerId}#${idempotencyKey}`, sk: 'SEND' }),

  /** A migration's record: whether it ran, when, how far (its scan position), how many items it visited and changed. */
  migration: (migrationId: string): Key => ({ pk: `MIGRATION#${migrationId}`, sk: 'STATE' }),
  /** Who runs the migrations now (one runner at a time, until its lease ends). */
  migrationLease: (): Key => ({ pk: 'MIGRATION#LEASE', sk: 'LEASE' }),
} as const;
