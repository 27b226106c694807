import { beforeAll, describe, expect, it } from 'vitest';
import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { freshTable, type TestTable } from '../helpers/table';
import { createDb, type Db } from '../../shared/aws';
import { DynamoMeter } from '../../bench/meter';

/** The benchmark's capacity model, checked against DynamoDB's published rules on items of known size. */
let t: TestTable;
let db: Db;
const meter = new DynamoMeter();

beforeAll(async () => {
  t = await freshTable();
  db = createDb({ endpoint: t.endpoint, region: 'us-east-1', instrument: (client) => meter.install(client, t.endpoint) });
  // pk "P" + sk "S" + "v" holding 10,000 characters: about 10 KB.
  await db.send(new PutCommand({ TableName: t.table, Item: { pk: 'P', sk: 'S', v: 'x'.repeat(10_000) } }));
  for (let i = 0; i < 3; i++) await db.send(new PutCommand({ TableName: t.table, Item: { pk: 'Q', sk: `S${i}`, v: 'y'.repeat(3000) } }));
});

describe('bench capacity model', () => {
  it('sizes reads by their values, not only attribute names: a 10 KB strongly consistent read is 3 RCU', async () => {
    meter.reset();
    await db.send(new GetCommand({ TableName: t.table, Key: { pk: 'P', sk: 'S' }, ConsistentRead: true }));
    expect(meter.readUnits).toBe(3);
    meter.reset();
    await db.send(new GetCommand({ TableName: t.table, Key: { pk: 'P', sk: 'S' } }));
    expect(meter.readUnits).toBe(1.5);
  });

  it('a query is priced on the total size it returns: 3 × 3 KB eventually consistent is 1.5 RCU', async () => {
    meter.reset();
    await db.send(new QueryCommand({ TableName: t.table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': 'Q' } }));
    expect(meter.readUnits).toBe(1.5);
  });

  it('a write refused by its condition is metered (10 WCU for the 10 KB item it checked)', async () => {
    meter.reset();
    await expect(db.send(new PutCommand({ TableName: t.table, Item: { pk: 'P', sk: 'S', v: 'small' }, ConditionExpression: 'attribute_not_exists(pk)' }))).rejects.toThrow();
    expect(meter.failedWrites).toBe(1);
    expect(meter.writeUnits).toBe(10);
    expect(meter.roundTrips).toBe(1);
  });
});
