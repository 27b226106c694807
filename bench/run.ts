import { writeFileSync, mkdirSync } from 'node:fs';
import { startDynamoDbLocal } from '../scripts/local/dynamodb-local';
import { benchInbound } from './inbound';
import { benchBundles } from './bundles';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/** `npm run bench`: every figure measured in one run, side by side, on one DynamoDB Local. */
async function main() {
  const dynamo = await startDynamoDbLocal({ timeoutMs: 60_000 });
  const results: Record<string, unknown> = { date: new Date().toISOString(), node: process.version };
  try {
    console.log('## Function bundles (esbuild, minified ESM, AWS SDK from the runtime)\n');
    const bundles = await benchBundles();
    results.bundles = bundles;
    console.log('| function | bundle (KB) | module init (ms, median of 5, fresh Node) |');
    console.log('|---|---:|---:|');
    for (const b of bundles) console.log(`| ${b.fn} | ${(b.bytes / 1024).toFixed(1)} | ${b.initMs} |`);

    console.log('\n## Inbound routing per message (DynamoDB Local)\n');
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
