import * as z from 'zod/mini';
import { apiHandler, ok, parseWith } from '../../shared/http/api-handler';
import { defaultDeps, type Deps } from '../../shared/deps';
import { ConversationStore } from '../../shared/store/items/conversation';
import { answerConversations } from '../../shared/store/queries/conversation-answers';
import { DirectoryStore } from '../../shared/store/items/directory';
import { RecordStore } from '../../shared/store/items/record';
import { moveConversation } from '../../shared/flows/move-conversation';
import { canAssignConversation, canReadRecord, canSeeConversation, requireSmsRole, viewerFrom } from '../../shared/domain/visibility';
import { principalSchema } from '../../shared/domain/directory';
import { HttpError } from '../../shared/domain/errors';
import { assignConversation } from '../../shared/flows/assign-conversation';
import { dismissLikelyOptOut } from '../../shared/flows/dismiss-likely-opt-out';
import { recordRefSchema } from '../../shared/domain/records';
import { notFound } from '../../shared/domain/errors';
import { onFirstUse } from '../../shared/lambda';

const moveSchema = z.strictObject({ record: recordRefSchema });
export const assignSchema = z.strictObject({ assignedTo: principalSchema });

/** POST /conversations/{id}/move: both the conversation and the target record must be visible to the caller. */
export function createHandler(deps: Deps) {
  const conversations = new ConversationStore(deps.db, deps.table, deps.clock);
  const directory = new DirectoryStore(deps.db, deps.table);
  const records = new RecordStore(deps.db, deps.table);

  return apiHandler('reassignment', {
    'POST /conversations/{id}/move': async ({ caller, params, body }) => {
      const input = parseWith(moveSchema, body);
      const [conversation, seller, target] = await Promise.all([
        conversations.get(params.id ?? ''),
        directory.getSeller(caller.sellerId),
        records.get(input.record.type, input.record.id),
      ]);
      const viewer = viewerFrom(caller, seller);
      if (!conversation || !canSeeConversation(viewer, conversation)) throw notFound('conversation');
      requireSmsRole(viewer, 'moving a conversation');
      if (!target || !canReadRecord(viewer, target)) throw notFound('target record');
      return ok((await answerConversations(deps.db, deps.table, viewer, [await moveConversation(deps, conversation, target, caller.sellerId)]))[0]);
    },
    // A likely opt-out the customer did not mean (or that was handled by talking to them): the flag goes.
    'POST /conversations/{id}/likely-opt-out/dismiss': async ({ caller, params }) => {
      const [conversation, seller] = await Promise.all([conversations.get(params.id ?? ''), directory.getSeller(caller.sellerId)]);
      const viewer = viewerFrom(caller, seller);
      if (!conversation || !canSeeConversation(viewer, conversation)) throw notFound('conversation');
      requireSmsRole(viewer, 'dismissing a likely opt-out');
      if (!canAssignConversation(viewer, conversation)) throw new HttpError('InsufficientPrivileges', 'only an admin, the assignee or the record\'s owner may dismiss this');
      const dismissed = await dismissLikelyOptOut(deps, conversation, viewer);
      return ok((await answerConversations(deps.db, deps.table, viewer, [dismissed]))[0]);
    },
    'POST /conversations/{id}/assign': async ({ caller, params, body }) => {
      const input = parseWith(assignSchema, body);
      const [conversation, seller] = await Promise.all([conversations.get(params.id ?? ''), directory.getSeller(caller.sellerId)]);
      const viewer = viewerFrom(caller, seller);
      if (!conversation || !canSeeConversation(viewer, conversation)) throw notFound('conversation');
      requireSmsRole(viewer, 'handing off a conversation');
      if (!canAssignConversation(viewer, conversation)) throw new HttpError('InsufficientPrivileges', 'only an admin, the assignee or the record\'s owner may hand this conversation off');
      return ok((await answerConversations(deps.db, deps.table, viewer, [await assignConversation(deps, conversation, input.assignedTo, caller.sellerId)]))[0]);
    },
  });
}

export const handler = onFirstUse(() => createHandler(defaultDeps()));
