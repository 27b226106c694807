import type { PublishCommand } from '@aws-sdk/client-sns';

export interface PublishedNotification {
  topicArn: string | undefined;
  sellerId: string | undefined;
  kind: string | undefined;
  message: unknown;
}

/** In-process SNS for the notifier: keeps what was published (GET /local/sns/published) and logs it. */
export class LocalSns {
  readonly published: PublishedNotification[] = [];

  constructor(private readonly log = true) {}

  async send(command: PublishCommand): Promise<{ MessageId: string }> {
    const input = command.input;
    const entry = {
      topicArn: input.TopicArn,
      sellerId: input.MessageAttributes?.sellerId?.StringValue,
      kind: input.MessageAttributes?.kind?.StringValue,
      message: JSON.parse(input.Message ?? 'null'),
    };
    this.published.push(entry);
    if (this.published.length > 1000) this.published.shift();
    if (this.log) console.log(`notification → ${entry.sellerId}: ${entry.kind}`);
    return { MessageId: `local-${this.published.length}` };
  }
}
