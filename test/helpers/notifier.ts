import { SNSClient } from '@aws-sdk/client-sns';
import { createHandler as createNotifier } from '../../functions/notifier/handler';
import type { Deps } from '../../shared/deps';
import type { LiveChannel } from '../../shared/flows/live-hints';
import { STREAM_BATCH_SIZE, STREAM_FILTERS } from '../../shared/store/stream-consumers';

/** The notifier's event source mapping as deployed: its filters and batch size (tests read the stream through them). */
export const NOTIFIER_MAPPING = { filters: STREAM_FILTERS.notifier, batchSize: STREAM_BATCH_SIZE.notifier };

export const TEST_NOTIFICATIONS_TOPIC = 'arn:aws:sns:us-east-1:1:n';

/** The stream's notifier over a test table, publishing through an SNS client the test mocks (aws-sdk-client-mock). */
export function testNotifier(deps: Deps, topicArn = TEST_NOTIFICATIONS_TOPIC, live?: LiveChannel) {
  return createNotifier({ ...deps, sns: new SNSClient({ region: 'us-east-1' }), topicArn, live });
}
