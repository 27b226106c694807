import { describe, expect, it } from 'vitest';
import { checkSendAt, isScheduledFire, scheduleName } from '../../shared/domain/scheduling';
import { mockClient } from 'aws-sdk-client-mock';
import { CreateScheduleCommand, DeleteScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { EventBridgeMessageScheduler, scheduleMinute } from '../../shared/schedules/message-scheduler';
import type { HttpError } from '../../shared/domain/errors';

const now = new Date('2026-12-07T12:00:00.000Z');
const refused = (sendAt: string, lead = 60) => {
  try {
    checkSendAt(sendAt, now, lead);
    return undefined;
  } catch (error) {
    return (error as HttpError).code;
  }
};

describe('sendAt: between the minimum lead and 35 days ahead, with its zone', () => {
  it('accepts a minute ahead (less the request\'s own time: a tenth of the lead, at most 5 s) up to 35 days', () => {
    expect(checkSendAt('2026-12-07T12:01:00.000Z', now, 60).toISOString()).toBe('2026-12-07T12:01:00.000Z');
    expect(refused('2026-12-07T12:00:55.000Z')).toBeUndefined();
    expect(refused('2026-12-07T12:00:54.999Z')).toBe('ValidationError');
    expect(refused('2027-01-11T12:00:00.000Z')).toBeUndefined();
    expect(refused('2027-01-11T12:00:00.001Z')).toBe('ValidationError');
    // A test deployment's lead of 1 s allows 0.1 s of slack, not 5.
    expect(refused('2026-12-07T12:00:00.950Z', 1)).toBeUndefined();
    expect(refused('2026-12-07T12:00:00.800Z', 1)).toBe('ValidationError');
  });

  it('reads offsets, and refuses a time without its zone or that is not a time', () => {
    expect(checkSendAt('2026-12-07T14:30:00+02:00', now, 60).toISOString()).toBe('2026-12-07T12:30:00.000Z');
    for (const bad of ['2026-12-07T12:30:00', 'tomorrow', '2026-13-07T12:30:00Z', '']) expect(refused(bad), bad).toBe('ValidationError');
  });
});

describe('schedules', () => {
  it('one name per message revision, within Scheduler\'s 64 characters of [0-9a-zA-Z-_.]', () => {
    expect(scheduleName('01M98Q5BM07NM9WHWX9S1FY2PR', 0)).toBe('sms-01M98Q5BM07NM9WHWX9S1FY2PR-r0');
    const long = scheduleName('x'.repeat(200), 12);
    expect(long.length).toBeLessThanOrEqual(64);
    expect(scheduleName('a/b c', 1)).toMatch(/^[0-9a-zA-Z_.-]+$/);
  });

  it('at() names the minute the time falls in (Scheduler fires within it; the function waits for the second)', () => {
    expect(scheduleMinute(new Date('2026-12-08T08:00:37.250Z'))).toBe('2026-12-08T08:00:00');
    expect(scheduleMinute(new Date('2026-12-08T08:00:00.000Z'))).toBe('2026-12-08T08:00:00');
  });

  it('a fire is recognised by its payload, anything else is an EventBridge event', () => {
    expect(isScheduledFire({ scheduledMessage: { id: 'm', revision: 2, at: '2026-12-08T08:00:00.000Z' } })).toBe(true);
    expect(isScheduledFire({ scheduledMessage: { id: 'm' } })).toBe(false);
    expect(isScheduledFire({ 'detail-type': 'SmsStepDue', detail: {} })).toBe(false);
  });
});

describe('the EventBridge Scheduler adapter', () => {
  const scheduler = mockClient(SchedulerClient);

  it('deletes with only its group (erasure names no target or role), treating a schedule already gone as deleted', async () => {
    scheduler.reset();
    scheduler.on(DeleteScheduleCommand).resolvesOnce({}).rejectsOnce(Object.assign(new Error('gone'), { name: 'ResourceNotFoundException' }));
    const deleter = new EventBridgeMessageScheduler(new SchedulerClient({ region: 'us-east-1' }), { groupName: 'stack-messages' });
    await deleter.delete('sms-m-r0');
    await deleter.delete('sms-m-r0');
    expect(scheduler.commandCalls(DeleteScheduleCommand).map((c) => c.args[0].input)).toEqual([{ Name: 'sms-m-r0', GroupName: 'stack-messages' }, { Name: 'sms-m-r0', GroupName: 'stack-messages' }]);
    // Creating needs the target and its role: refused before any call.
    await expect(deleter.create('sms-m-r1', new Date('2026-12-08T08:00:00Z'), { scheduledMessage: { id: 'm', revision: 1 } })).rejects.toThrow(/SCHEDULE_TARGET_ARN/);
    expect(scheduler.commandCalls(CreateScheduleCommand)).toHaveLength(0);
  });

  it('creates a one-time schedule at the minute, in UTC, without a flexible window, deleted after it ran, with retries and a dead-letter queue', async () => {
    scheduler.reset();
    scheduler.on(CreateScheduleCommand).resolves({ ScheduleArn: 'arn' });
    const settings = { groupName: 'g', targetArn: 'arn:aws:lambda:us-east-1:1:function:send', roleArn: 'arn:aws:iam::1:role/r', deadLetterArn: 'arn:aws:sqs:us-east-1:1:dlq' };
    await new EventBridgeMessageScheduler(new SchedulerClient({ region: 'us-east-1' }), settings).create('sms-m-r0', new Date('2026-12-08T08:00:37Z'), { scheduledMessage: { id: 'm', revision: 0, at: '2026-12-08T08:00:37.000Z' } });
    expect(scheduler.commandCalls(CreateScheduleCommand)[0]!.args[0].input).toMatchObject({
      Name: 'sms-m-r0',
      GroupName: 'g',
      ScheduleExpression: 'at(2026-12-08T08:00:00)',
      ScheduleExpressionTimezone: 'UTC',
      FlexibleTimeWindow: { Mode: 'OFF' },
      ActionAfterCompletion: 'DELETE',
      Target: { Arn: settings.targetArn, RoleArn: settings.roleArn, DeadLetterConfig: { Arn: settings.deadLetterArn }, Input: JSON.stringify({ scheduledMessage: { id: 'm', revision: 0, at: '2026-12-08T08:00:37.000Z' } }) },
    });
  });
});
