import type { Principal, RecordType } from './types';
import type { RoutingExplanation } from './routing';
import type { MediaItem } from './media';

export const messageStatuses = ['received', 'scheduled', 'queued', 'sent', 'delivered', 'failed', 'undelivered', 'canceled', 'unknown'] as const;
export type MessageStatus = (typeof messageStatuses)[number];

export interface StatusReason {
  code: string;
  message: string;
}

/** A message as the contract returns it. */
export interface Message {
  id: string;
  conversationId: string;
  direction: 'inbound' | 'outbound';
  from: string;
  to: string;
  body: string;
  createdAt: string;
  status: MessageStatus;
  statusReason?: StatusReason;
  providerMessageId?: string;
  sentBy?: string;
  templateId?: string;
  segments: number;
  /** When the status last changed. */
  statusAt: string;
  /** Inbound only: why it landed on its record. */
  routing?: RoutingExplanation;
  /** MMS: its files and whether each is copied yet. */
  media?: MediaItem[];
  /** Sends: the caller's context (e.g. a sales-accelerator step), carried in the message's CRM events. */
  context?: Record<string, string>;
  /** Send later: when it goes (scheduled messages, and sends that were scheduled). */
  scheduledFor?: string;
  /** Send later: an inbound message in the conversation before it goes cancels it. */
  cancelOnReply?: boolean;
  /** Sent by the product rather than typed by a seller: a CRM sequence's step, or an after-hours reply. */
  automated?: AutomatedKind;
}

export const automatedKinds = ['after_hours', 'sms_step'] as const;
export type AutomatedKind = (typeof automatedKinds)[number];

/** A conversation as the contract returns it. */
export interface Conversation {
  id: string;
  /** Absent on a conversation with a sender id that is not a phone number (no record is ever made for one). */
  record?: { type: RecordType; id: string };
  /** The record's display name: whoever sees the conversation sees whom it is with (nothing else of the record). */
  recordName?: string;
  customerNumber: string;
  businessNumber: string;
  assignedTo: Principal;
  /** The assignee's display name (seller or team). */
  assigneeName: string;
  lastMessageAt: string;
  lastMessagePreview: string;
  /** The caller's own: inbound messages after their last read. */
  unreadCount: number;
  lastReadAt?: string;
  /** The customer has opted out of this business number. */
  optedOut: boolean;
  /** False when the customer's sender id is not a phone number (`AMAZON`, a short code): nothing can be sent to it. */
  replyable: boolean;
  /** A message read as an opt-out without being a keyword: a person must confirm or dismiss it. */
  likelyOptOut?: true;
}

export const PREVIEW_LENGTH = 120;

export function preview(body: string): string {
  const flat = body.replace(/\s+/g, ' ').trim();
  return flat.length <= PREVIEW_LENGTH ? flat : `${flat.slice(0, PREVIEW_LENGTH - 1)}…`;
}

/** A message or conversation as shown to someone who may not read message text (no salesperson role). */
export type Withheld<T, Field extends keyof T> = Omit<T, Field> & { [K in Field]?: T[K] } & { withheld?: true };

/** The message as this viewer may see it: without its body (and `withheld: true`) when they may not read text. */
export function messageFor(viewer: { readsBodies: boolean }, message: Message): Withheld<Message, 'body'> {
  if (viewer.readsBodies) return message;
  const { body: _body, ...rest } = message;
  return { ...rest, withheld: true };
}

/** The conversation as this viewer may see it: without its last-message preview when they may not read text. */
export function conversationFor(viewer: { readsBodies: boolean }, conversation: Conversation): Withheld<Conversation, 'lastMessagePreview'> {
  if (viewer.readsBodies) return conversation;
  const { lastMessagePreview: _preview, ...rest } = conversation;
  return { ...rest, withheld: true };
}
