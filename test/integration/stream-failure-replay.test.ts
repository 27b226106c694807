import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { freshTable, type TestTable } from '../helpers/table';
import { testNotifier } from '../helpers/notifier';
import { OrgBuilder } from '../helpers/org';
import { inboundSender } from '../helpers/inbound';
import { lambdaContext } from '../helpers/api';
import { StreamPoller } from '../../scripts/local/stream-poller';
import { STREAM_FILTERS } from '../../shared/store/stream-consumers';
import { notificationsPage } from '../../shared/store/queries/notifications';
import { failedBatchOf, replayStreamFailures, type ReplayDeps } from '../../scripts/replay-stream-failure';

/** Operations: a table-stream batch that failed after its retries is kept whole in S3, and the replay command feeds it back through its consumer. */
const TEAM_NUMBER = '+14255557301';
const NOTIFIER_ARN = 'arn:aws:lambda:us-east-1:123456789012:function:SmsCrm-Notifier';
const snsMock = mockClient(SNSClient);
let t: TestTable;

beforeAll(async () => {
  t = await freshTable();
  const org = new OrgBuilder(t);
  await org.team('replay');
  await org.seller('rita', { teamIds: ['replay'] });
  await org.number(TEAM_NUMBER, { type: 'team', id: 'replay' });
  snsMock.on(PublishCommand).resolves({ MessageId: 'sns' });
});
afterAll(() => snsMock.restore());

/** What rita's bell lists: her own notifications and her team's. */
const notificationsOf = async (sellerId: string) => (await notificationsPage(t.db, t.table, { sellerId, teamIds: ['replay'], readsBodies: true }, { unread: false, limit: 100, now: t.clock.now() })).items;

/** The object Lambda's S3 on-failure destination writes for a stream batch: the invocation record with the batch in `payload`. */
const invocationRecord = (event: DynamoDBStreamEvent) =>
  JSON.stringify({
    requestContext: { requestId: 'r-1', functionArn: NOTIFIER_ARN, condition: 'RetryAttemptsExhausted', approximateInvokeCount: 3 },
    responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
    version: '1.0',
    timestamp: new Date().toISOString(),
    DDBStreamBatchInfo: { shardId: 'shardId-1', startSequenceNumber: event.Records[0]!.dynamodb!.SequenceNumber, endSequenceNumber: event.Records.at(-1)!.dynamodb!.SequenceNumber, batchSize: event.Records.length, streamArn: 'arn:aws:dynamodb:us-east-1:123456789012:table/t/stream/2026' },
    payload: JSON.stringify(event),
  });

describe('replaying a failed stream batch', () => {
  it('feeds the batch back through the consumer named in the record: the seller is notified, and the object is deleted', async () => {
    // The notifier fails every attempt (an outage): its mapping gives up and sets the records aside.
    const failing = new StreamPoller(t.endpoint, t.table, async (event) => ({ batchItemFailures: [{ itemIdentifier: event.Records[0]!.dynamodb!.SequenceNumber! }] }), { filters: STREAM_FILTERS.notifier, maxRetries: 1 });
    await inboundSender(t)({ from: '+14255557350', to: TEAM_NUMBER, body: 'Is the offer still open?' });
    await failing.drain();
    expect(failing.failed.length).toBeGreaterThan(0);
    expect(await notificationsOf('rita')).toHaveLength(0);

    const bucket = new Map([['aws/lambda/esm-1/shardId-1/2026/12/07/failed-1', invocationRecord({ Records: failing.failed })]]);
    const notifier = testNotifier(t);
    const invoked: string[] = [];
    const deps: ReplayDeps = {
      readObject: async (_bucket, key) => bucket.get(key)!,
      listKeys: async (_bucket, prefix) => [...bucket.keys()].filter((k) => k.startsWith(prefix)),
      deleteObject: async (_bucket, key) => void bucket.delete(key),
      invoke: async (functionArn, event) => {
        invoked.push(functionArn);
        return (await notifier(event, lambdaContext)) ?? undefined;
      },
    };
    const outcomes = await replayStreamFailures(deps, { bucket: 'failures', prefix: 'aws/lambda/', remove: true });
    expect(outcomes).toEqual([{ key: 'aws/lambda/esm-1/shardId-1/2026/12/07/failed-1', functionArn: NOTIFIER_ARN, records: failing.failed.length, stillFailing: [] }]);
    expect(invoked).toEqual([NOTIFIER_ARN]);
    expect((await notificationsOf('rita')).map((n) => n.preview)).toEqual(['Is the offer still open?']);
    expect(bucket.size).toBe(0);

    // Replaying it again (a second operator, a retried command) notifies nobody twice.
    await replayStreamFailures({ ...deps, readObject: async () => invocationRecord({ Records: failing.failed }) }, { bucket: 'failures', key: 'again' });
    expect(await notificationsOf('rita')).toHaveLength(1);
  });

  it('refuses a record that holds only the stream position (what an SQS destination keeps)', () => {
    const positionOnly = JSON.stringify({ requestContext: { functionArn: NOTIFIER_ARN }, DDBStreamBatchInfo: { shardId: 's', startSequenceNumber: '1', endSequenceNumber: '2', batchSize: 2, streamArn: 'x' } });
    expect(() => failedBatchOf(positionOnly)).toThrow(/no payload/);
    expect(() => failedBatchOf(JSON.stringify({ payload: '{"Records":[]}' }))).toThrow(/functionArn/);
    expect(() => failedBatchOf(JSON.stringify({ requestContext: { functionArn: NOTIFIER_ARN }, payload: { Records: [{ eventSource: 'aws:sqs' }] } }))).toThrow(/not a DynamoDB stream batch/);
  });
});
