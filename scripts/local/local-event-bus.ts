import { randomUUID } from 'node:crypto';
import type { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { SendMessageCommand } from '@aws-sdk/client-sqs';

export interface PutCrmEvent {
  source: string | undefined;
  detailType: string | undefined;
  detail: unknown;
}

/** In-process EventBridge for the CRM publisher: keeps what was put, oldest first (GET /local/events). */
export class LocalEventBus {
  readonly events: PutCrmEvent[] = [];

  async send(command: PutEventsCommand): Promise<{ Entries: { EventId: string }[]; FailedEntryCount: number }> {
    const entries = command.input.Entries ?? [];
    for (const entry of entries) {
      this.events.push({ source: entry.Source, detailType: entry.DetailType, detail: JSON.parse(entry.Detail ?? 'null') });
      if (this.events.length > 5000) this.events.shift();
    }
    return { Entries: entries.map(() => ({ EventId: randomUUID() })), FailedEntryCount: 0 };
  }
}

/** In-process failure queue: what the publisher could not put (none, with the local bus). */
export class LocalQueue {
  readonly messages: unknown[] = [];

  async send(command: SendMessageCommand): Promise<{ MessageId: string }> {
    this.messages.push(JSON.parse(command.input.MessageBody ?? 'null'));
    return { MessageId: randomUUID() };
  }
}
