import { CreateScheduleCommand, DeleteScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { config } from '../config';
import type { ScheduledFire } from '../domain/scheduling';

/** One-time schedules that hand a scheduled message to the function that sends it. */
export interface MessageScheduler {
  /** Creates the schedule `name` firing at `at` (a name already there is left as it is: a retried create). */
  create(name: string, at: Date, fire: ScheduledFire): Promise<void>;
  /** Deletes it; one that is already gone (fired and removed, or never made) is fine. */
  delete(name: string): Promise<void>;
}

export interface SchedulerSettings {
  groupName: string;
  /** The function that sends (the schedule's target) and the role EventBridge Scheduler invokes it with: needed to create, not to delete. */
  targetArn?: string | undefined;
  roleArn?: string | undefined;
  /** Where a fire that kept failing rests (alarmed). */
  deadLetterArn?: string | undefined;
}

/** Only the operations this product calls, so a local stand-in can speak them. */
type SchedulerApi = Pick<SchedulerClient, 'send'>;

/**
 * EventBridge Scheduler: one one-time schedule per scheduled message revision, `at(...)` in UTC with no flexible
 * window, removed by the service once it has run (ActionAfterCompletion DELETE), retried for up to an hour and
 * then kept in the dead-letter queue.
 */
export class EventBridgeMessageScheduler implements MessageScheduler {
  constructor(
    private readonly client: SchedulerApi,
    private readonly settings: SchedulerSettings,
  ) {}

  async create(name: string, at: Date, fire: ScheduledFire): Promise<void> {
    const { targetArn, roleArn } = this.settings;
    if (!targetArn || !roleArn) throw new Error('SCHEDULE_TARGET_ARN and SCHEDULE_ROLE_ARN must be set to create schedules');
    try {
      await this.client.send(
        new CreateScheduleCommand({
          Name: name,
          GroupName: this.settings.groupName,
          // Scheduler fires within the minute of its at() time ("60 second precision": 08:00:00 to 08:00:59), so the
          // schedule names the minute and the function waits for the second: sent 0 to 59 s after the time asked.
          ScheduleExpression: `at(${scheduleMinute(at)})`,
          ScheduleExpressionTimezone: 'UTC',
          FlexibleTimeWindow: { Mode: 'OFF' },
          ActionAfterCompletion: 'DELETE',
          // The name makes a retried create of the same revision idempotent (ConflictException below).
          ClientToken: name,
          Target: {
            Arn: targetArn,
            RoleArn: roleArn,
            Input: JSON.stringify(fire),
            RetryPolicy: { MaximumRetryAttempts: 10, MaximumEventAgeInSeconds: 3600 },
            ...(this.settings.deadLetterArn ? { DeadLetterConfig: { Arn: this.settings.deadLetterArn } } : {}),
          },
        }),
      );
    } catch (error) {
      if ((error as Error).name === 'ConflictException') return;
      throw error;
    }
  }

  async delete(name: string): Promise<void> {
    try {
      await this.client.send(new DeleteScheduleCommand({ Name: name, GroupName: this.settings.groupName }));
    } catch (error) {
      if ((error as Error).name === 'ResourceNotFoundException') return;
      throw error;
    }
  }
}

let defaultScheduler: MessageScheduler | undefined;
/** The deployed scheduler, from the function's environment (module scope: one client per warm Lambda). */
export function awsMessageScheduler(ownArn?: string): MessageScheduler {
  const c = config();
  if (!c.SCHEDULE_GROUP) throw new Error('SCHEDULE_GROUP must be set to schedule messages');
  // The sending function is its own target (a deferral): its environment cannot name its own ARN (a cycle), its invocation can.
  // A function that only deletes schedules (erasure) names neither target nor role.
  defaultScheduler ??= new EventBridgeMessageScheduler(new SchedulerClient({ region: c.AWS_REGION }), { groupName: c.SCHEDULE_GROUP, targetArn: c.SCHEDULE_TARGET_ARN ?? ownArn, roleArn: c.SCHEDULE_ROLE_ARN, deadLetterArn: c.SCHEDULE_DLQ_ARN });
  return defaultScheduler;
}

/** The at() expression's time: the minute `at` falls in, UTC, without a zone suffix. */
export function scheduleMinute(at: Date): string {
  return `${at.toISOString().slice(0, 16)}:00`;
}
