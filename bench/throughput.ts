import autocannon from 'autocannon';
import { randomUUID } from 'node:crypto';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { createDb } from '../shared/aws';
import { createTable } from '../scripts/local/create-table';
import { freePort } from '../scripts/local/dynamodb-local';
import { startLocalServer } from '../scripts/local/server';
import { seedDemo } from '../scripts/local/seed';

export interface ThroughputFigures {
  rawPutsPerSecond: number;
  inboundPerSecond: number;
  ratio: number;
  non2xx: number;
  errors: number;
}

const CONNECTIONS = 8;
/** Replies from known customers dominate real traffic: 100 customers, the first message of each makes a lead. */
const CUSTOMERS = 100;

/**
 * End-to-end inbound throughput of the local stack (HTTP → handler → routing → DynamoDB Local),
 * driven by autocannon over loopback, against DynamoDB Local's raw single-item PutItem rate with
 * the same concurrency, both measured in this run.
 */
export async function benchThroughput(endpoint: string, seconds = 10): Promise<ThroughputFigures> {
  const rawTable = `bench-raw-${randomUUID().slice(0, 8)}`;
  await createTable(endpoint, rawTable);
  const db = createDb({ endpoint, region: 'us-east-1' });
  let puts = 0;
  const rawDeadline = Date.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async (_, lane) => {
      for (let i = 0; Date.now() < rawDeadline; i++) {
        await db.send(new PutCommand({ TableName: rawTable, Item: { pk: `RAW#${lane}#${i}`, sk: 'ITEM', body: 'x'.repeat(200), createdAt: new Date().toISOString() } }));
        puts++;
      }
    }),
  );
  db.destroy();
  const rawPutsPerSecond = puts / seconds;

  const table = `bench-e2e-${randomUUID().slice(0, 8)}`;
  await createTable(endpoint, table);
  const stack = await startLocalServer({ port: await freePort(), dynamoEndpoint: endpoint, table, twilioAuthToken: 'bench', jwtSecret: 'bench', logNotifications: false });
  await seedDemo(stack.deps);
  let n = 0;
  const result = await autocannon({
    url: stack.url,
    connections: CONNECTIONS,
    duration: seconds,
    requests: [
      {
        method: 'POST',
        path: '/local/provider/inbound',
        headers: { 'content-type': 'application/json' },
        setupRequest: (request) => {
          const i = n++;
          return { ...request, body: JSON.stringify({ from: `+1206557${String(1000 + (i % CUSTOMERS)).padStart(4, '0')}`, to: i % 2 ? '+14255550100' : '+14255550101', body: `load ${i}` }) };
        },
      },
    ],
  });
  await stack.stop();
  const inboundPerSecond = result['2xx'] / seconds;
  return {
    rawPutsPerSecond: Math.round(rawPutsPerSecond),
    inboundPerSecond: Math.round(inboundPerSecond * 10) / 10,
    ratio: Math.round((inboundPerSecond / rawPutsPerSecond) * 1000) / 1000,
    non2xx: result.non2xx,
    errors: result.errors,
  };
}
