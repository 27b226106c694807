import type { DynamoDBStreamEvent } from 'aws-lambda';
import type { Deps } from '../deps';
import { HttpError } from '../domain/errors';
import { ConversationStore } from '../store/items/conversation';
import { changedItem } from '../store/stream';
import { count, logger } from '../observability';
import type { OutboundService } from './send-message';

export function isStreamEvent(event: unknown): event is DynamoDBStreamEvent {
  return typeof event === 'object' && event !== null && Array.isArray((event as { Records?: unknown }).Records);
}

/**
 * The after-hours replies of the inbound messages the dispatcher hands over (`autoReplyDue`, decided with the message in
 * the inbound transaction: once per conversation per closed period). Each is sent once (its run is stored with it);
 * one that can no longer go (the customer opted out or was erased since, a provider refusal) is counted and let go.
 * Anything else throws, and the asynchronous invocation retries the batch: replies already sent are not sent again.
 */
export async function sendAfterHoursReplies(deps: Deps, outbound: OutboundService, event: DynamoDBStreamEvent): Promise<{ sent: number; skipped: number }> {
  const conversations = new ConversationStore(deps.db, deps.table, deps.clock);
  let sent = 0;
  let skipped = 0;
  for (const record of event.Records) {
    const { eventName, newImage: message } = changedItem(record);
    if (eventName !== 'INSERT' || message?.kind !== 'message' || message.autoReplyDue !== true) continue;
    const conversation = await conversations.get(message.conversationId as string);
    if (!conversation) {
      skipped++;
      continue;
    }
    try {
      const reply = await outbound.afterHoursReply(conversation, message.id as string);
      if (reply) {
        sent++;
        count('AfterHoursReplySent');
      } else skipped++;
    } catch (error) {
      if (!(error instanceof HttpError) || error.status >= 500) throw error;
      skipped++;
      count('AfterHoursReplySkipped');
      logger.info('after-hours reply not sent', { conversationId: conversation.id, code: error.code });
    }
  }
  return { sent, skipped };
}
