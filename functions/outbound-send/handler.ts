import { apiHandler, parseWith } from '../../shared/http/api-handler';
import { defaultDeps, type Deps } from '../../shared/deps';
import { idempotencyKeySchema, OutboundService, replySchema, sendMessageSchema } from '../../shared/flows/send-message';
import { editScheduledSchema, ScheduledMessages } from '../../shared/flows/scheduled-messages';
import { runSmsStep, smsStepSchema } from '../../shared/flows/sms-steps';
import { awsProviders, type Providers } from '../../shared/providers/registry';
import { ConversationStore } from '../../shared/store/items/conversation';
import { DirectoryStore } from '../../shared/store/items/directory';
import { canSeeConversation, viewerFrom } from '../../shared/domain/visibility';
import { notFound } from '../../shared/domain/errors';
import { onFirstUse } from '../../shared/lambda';
import { createUpload, createUploadSchema } from '../../shared/flows/outbound-media';
import { mediaStore } from '../../shared/media/aws-media-store';
import { awsMessageScheduler, type MessageScheduler } from '../../shared/schedules/message-scheduler';
import type { MediaStore } from '../../shared/media/store';

export function createHandler(deps: Deps, providers: Providers, media: () => MediaStore = mediaStore, scheduler: () => MessageScheduler = () => awsMessageScheduler()) {
  const outbound = new OutboundService(deps, providers, media, scheduler);
  const scheduled = new ScheduledMessages(deps, providers, scheduler);
  const conversations = new ConversationStore(deps.db, deps.table, deps.clock);
  const directory = new DirectoryStore(deps.db, deps.table);
  const idempotencyKey = (headers: Record<string, string>) =>
    headers['idempotency-key'] === undefined ? undefined : parseWith(idempotencyKeySchema, headers['idempotency-key'], 'Idempotency-Key');

  return apiHandler('outbound-send', {
    'POST /media': async ({ caller, body }) => ({ status: 201, body: await createUpload(deps, media(), caller, parseWith(createUploadSchema, body)) }),
    'POST /messages': async ({ caller, body, headers }) => {
      const message = await outbound.send(caller, parseWith(sendMessageSchema, body), idempotencyKey(headers));
      return { status: 202, body: message };
    },
    'POST /conversations/{id}/messages': async ({ caller, params, body, headers }) => {
      const input = parseWith(replySchema, body ?? {});
      const [conversation, seller] = await Promise.all([conversations.get(params.id ?? ''), directory.getSeller(caller.sellerId)]);
      if (!conversation || !canSeeConversation(viewerFrom(caller, seller), conversation)) throw notFound('conversation');
      return { status: 202, body: await outbound.reply(caller, conversation, input, idempotencyKey(headers)) };
    },
    'PATCH /messages/{id}': async ({ caller, params, body }) => ({ status: 200, body: await scheduled.edit(caller, params.id ?? '', parseWith(editScheduledSchema, body ?? {})) }),
    'DELETE /messages/{id}': async ({ caller, params }) => ({ status: 200, body: await scheduled.cancel(caller, params.id ?? '') }),
    'POST /automations/sms-steps': async ({ body }) => {
      const result = await runSmsStep(deps, outbound, parseWith(smsStepSchema, body));
      return { status: result.outcome === 'skipped' ? 200 : 202, body: result };
    },
  });
}

export const handler = onFirstUse(() => createHandler(defaultDeps(), awsProviders()));
