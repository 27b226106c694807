import { writeFileSync, mkdirSync } from 'node:fs';
import { startDynamoDbLocal } from '../scripts/local/dynamodb-local';
import { benchInbound } from './inbound';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/** `npm run bench`: every figure measured in one run, side by side, on one DynamoDB Local. */
async function main() {
  const dynamo = await startDynamoDbLocal({ timeoutMs: 60_000 });
  const results: Record<string, unknown> = { date: new Date().toISOString(), node: process.version };
  try {
    console.log('## Inbound routing per message (DynamoDB Local)\n');
    const inbound = await benchInbound(dynamo.endpoint, [1, 10, 100, 1000]);
    results.inbound = inbound;
    console.log('| records sharing the number | round trips / message | RCU / message | WCU / message | messages / s (8 in flight) |');
    console.log('|---:|---:|---:|---:|---:|');
    for (const f of inbound) console.log(`| ${f.records} | ${f.roundTripsPerMessage} | ${f.readUnitsPerMessage} | ${f.writeUnitsPerMessage} | ${f.messagesPerSecond} |`);
  } finally {
    await dynamo.stop();
  }
  mkdirSync('bench/results', { recursive: true });
  writeFileSync('bench/results/latest.json', JSON.stringify(results, null, 2));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
