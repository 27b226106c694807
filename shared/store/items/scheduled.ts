import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from '../../aws';
import { keys, type Key } from '../keys';
import { isConditionFailure, type Item, type TransactItem } from '../dynamo-helpers';
import type { StatusReason } from '../../domain/messages';
import type { RecordRef } from '../../domain/records';

/**
 * The items that send later and automated steps add beside a message: the pointer from a scheduled message's
 * id to its key (PATCH and DELETE /messages/{id}), and the record of one CRM step run (its idempotency).
 */

export function scheduledPointerItem(table: string, messageId: string, messageKey: Key, sentBy: string, expiresAt: number | undefined): TransactItem {
  return {
    Put: {
      TableName: table,
      Item: { ...keys.scheduledPointer(messageId), kind: 'scheduledPointer', messageKey, sentBy, ...(expiresAt ? { expiresAt } : {}) },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  };
}

export async function scheduledPointer(db: Db, table: string, messageId: string): Promise<{ messageKey: Key; sentBy: string } | undefined> {
  const item = (await db.send(new GetCommand({ TableName: table, Key: keys.scheduledPointer(messageId), ConsistentRead: true }))).Item;
  return item ? { messageKey: item.messageKey as Key, sentBy: item.sentBy as string } : undefined;
}

export type StepOutcome = { outcome: 'sent' | 'scheduled'; messageKey: Key } | { outcome: 'skipped'; reason: StatusReason };

/** A CRM sequence step run as stored: the stream tells the CRM of a skipped one (SmsStepSkipped). */
export interface StepRun {
  stepRunId: string;
  record: RecordRef;
  context: Record<string, string>;
  at: string;
}

function stepRunItem(run: StepRun, outcome: StepOutcome): Item {
  return { ...keys.stepRun(run.stepRunId), kind: 'stepRun', ...run, ...outcome };
}

/** A step that sends: in the transaction that stores its message, so a repeated run finds it and sends nothing. */
export function stepRunTransactItem(table: string, run: StepRun, outcome: StepOutcome): TransactItem {
  return { Put: { TableName: table, Item: stepRunItem(run, outcome), ConditionExpression: 'attribute_not_exists(pk)' } };
}

/** A step that sends nothing: recorded once (false when the run was already recorded). */
export async function recordSkippedStep(db: Db, table: string, run: StepRun, reason: StatusReason): Promise<boolean> {
  try {
    await db.send(new PutCommand({ TableName: table, Item: stepRunItem(run, { outcome: 'skipped', reason }), ConditionExpression: 'attribute_not_exists(pk)' }));
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

export async function getStepRun(db: Db, table: string, stepRunId: string): Promise<(StepRun & StepOutcome) | undefined> {
  const item = (await db.send(new GetCommand({ TableName: table, Key: keys.stepRun(stepRunId), ConsistentRead: true }))).Item;
  return item as (StepRun & StepOutcome) | undefined;
}
