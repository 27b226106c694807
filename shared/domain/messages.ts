import type { Principal, RecordType } from '../store/keys';

export const messageStatuses = ['received', 'queued', 'sent', 'delivered', 'failed', 'undelivered', 'unknown'] as const;
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
}

/** A conversation as the contract returns it. */
export interface Conversation {
  id: string;
  record: { type: RecordType; id: string };
  customerNumber: string;
  businessNumber: string;
  assignedTo: Principal;
  lastMessageAt: string;
  lastMessagePreview: string;
}

export const PREVIEW_LENGTH = 120;

export function preview(body: string): string {
  const flat = body.replace(/\s+/g, ' ').trim();
  return flat.length <= PREVIEW_LENGTH ? flat : `${flat.slice(0, PREVIEW_LENGTH - 1)}…`;
}
