import { DynamoDBClient, GetItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { tableDefinition } from '../shared/store/table-definition';

type AttributeMap = Record<string, AttributeValue>;

/**
 * Counts DynamoDB round trips and models the capacity units each request consumes, from the sizes
 * of the items it reads and writes, by DynamoDB's published rules (DynamoDB Local reports none):
 * reads 4 KB per unit (halved when eventually consistent), writes 1 KB per unit, transactional
 * requests twice that, and every GSI an item appears in one more write per KB (projection ALL).
 */
export class DynamoMeter {
  roundTrips = 0;
  readUnits = 0;
  writeUnits = 0;
  /** Writes refused by their condition (metered too: DynamoDB charges them). */
  failedWrites = 0;
  readonly byCommand = new Map<string, number>();
  /** Writes per partition key of the table and of each index (a hot key shows here), successful writes only. */
  readonly writesByPartition = new Map<string, number>();
  private sideReader: DynamoDBClient | undefined;

  install(client: DynamoDBClient, endpoint: string): void {
    this.sideReader = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const name = (context.commandName ?? 'unknown').replace(/Command$/, '');
        this.roundTrips++;
        this.byCommand.set(name, (this.byCommand.get(name) ?? 0) + 1);
        const input = args.input as Record<string, unknown>;
        const before = await this.itemsBefore(name, input);
        try {
          const result = await next(args);
          await this.account(name, input, result.output as unknown as Record<string, unknown>, before);
          return result;
        } catch (error) {
          // A write whose condition failed, or a canceled transaction, still consumes its write units.
          if (isConditionFailure(error)) {
            this.failedWrites++;
            await this.account(name, input, {}, before, { failed: true });
          }
          throw error;
        }
      },
      { step: 'build', name: 'dynamoMeter' },
    );
  }

  reset(): void {
    this.roundTrips = 0;
    this.readUnits = 0;
    this.writeUnits = 0;
    this.failedWrites = 0;
    this.byCommand.clear();
    this.writesByPartition.clear();
  }

  /** Items that updates and deletes will change, read before the write (unmetered) to price index moves. */
  private async itemsBefore(name: string, input: Record<string, unknown>): Promise<(AttributeMap | undefined)[]> {
    if (name === 'UpdateItem' || name === 'DeleteItem') return [await this.current(input.TableName as string, input.Key as AttributeMap)];
    if (name === 'PutItem') return [await this.current(input.TableName as string, keyOf(input.Item as AttributeMap))];
    if (name !== 'TransactWriteItems') return [];
    return Promise.all(
      (input.TransactItems as Record<string, Record<string, unknown>>[]).map((entry) => {
        const op = entry.Update ?? entry.Delete ?? entry.Put;
        if (!op) return undefined;
        return this.current(op.TableName as string, (op.Key ?? keyOf(op.Item as AttributeMap)) as AttributeMap);
      }),
    );
  }

  private async account(name: string, input: Record<string, unknown>, output: Record<string, unknown>, before: (AttributeMap | undefined)[], options: { failed?: boolean } = {}): Promise<void> {
    const consistent = input.ConsistentRead === true ? 1 : 0.5;
    // The document client has already unmarshalled the output here: size the items as DynamoDB stores them.
    switch (name) {
      case 'GetItem':
        this.readUnits += readUnits(itemSize(asStored(output.Item))) * consistent;
        return;
      case 'Query':
        this.readUnits += readUnits(((output.Items as unknown[]) ?? []).reduce((sum: number, item) => sum + itemSize(asStored(item)), 0)) * consistent;
        return;
      case 'BatchGetItem':
        for (const items of Object.values((output.Responses as Record<string, unknown[]>) ?? {})) {
          for (const item of items) this.readUnits += readUnits(itemSize(asStored(item))) * 0.5;
        }
        return;
      case 'PutItem':
        if (options.failed) {
          this.writeUnits += baseWriteUnits(larger(before[0], input.Item as AttributeMap));
          return;
        }
        // A put replacing an item is priced on the larger of the two, and moves its index entries.
        this.writeUnits += baseWriteUnits(larger(before[0], input.Item as AttributeMap)) + indexUnits(before[0], input.Item as AttributeMap);
        this.notePartitions(before[0], input.Item as AttributeMap);
        return;
      case 'UpdateItem':
      case 'DeleteItem': {
        if (options.failed) {
          this.writeUnits += baseWriteUnits(before[0]);
          return;
        }
        const after = name === 'DeleteItem' ? undefined : await this.current(input.TableName as string, input.Key as AttributeMap);
        this.writeUnits += baseWriteUnits(larger(before[0], after)) + indexUnits(before[0], after);
        this.notePartitions(before[0], after);
        return;
      }
      case 'TransactWriteItems': {
        const entries = input.TransactItems as Record<string, Record<string, unknown>>[];
        for (const [i, entry] of entries.entries()) {
          if (entry.ConditionCheck) {
            this.writeUnits += 2;
            continue;
          }
          const op = (entry.Put ?? entry.Update ?? entry.Delete)!;
          if (options.failed) {
            // Modelled as an upper bound: each item's transactional write units, no index writes (nothing changed).
            this.writeUnits += 2 * baseWriteUnits(larger(before[i], entry.Put?.Item as AttributeMap | undefined));
            continue;
          }
          const after = entry.Delete ? undefined : entry.Put ? (entry.Put.Item as AttributeMap) : await this.current(op.TableName as string, op.Key as AttributeMap);
          this.writeUnits += 2 * baseWriteUnits(larger(before[i], after)) + indexUnits(before[i], after);
          this.notePartitions(before[i], after);
        }
        return;
      }
      default:
    }
  }

  /** The hottest partition key written (table or index) and how many writes it took. */
  hottestPartition(): { key: string; writes: number } {
    let hottest = { key: '', writes: 0 };
    for (const [key, writes] of this.writesByPartition) if (writes > hottest.writes) hottest = { key, writes };
    return hottest;
  }

  private notePartitions(before: AttributeMap | undefined, after: AttributeMap | undefined): void {
    const keys = new Set<string>();
    for (const item of [before, after]) {
      if (!item) continue;
      keys.add(`table ${item[tableDefinition.partitionKey]?.S ?? ''}`);
      for (const index of tableDefinition.globalSecondaryIndexes) if (item[index.partitionKey]?.S) keys.add(`${index.indexName} ${item[index.partitionKey]!.S!}`);
    }
    for (const key of keys) this.writesByPartition.set(key, (this.writesByPartition.get(key) ?? 0) + 1);
  }

  /** The item as stored after the write (an unmetered read), to size updates. */
  private async current(table: string, key: AttributeMap): Promise<AttributeMap | undefined> {
    const out = await this.sideReader!.send(new GetItemCommand({ TableName: table, Key: key }));
    return out.Item;
  }
}

const ATTRIBUTE_TYPES = new Set(['S', 'N', 'B', 'BOOL', 'NULL', 'M', 'L', 'SS', 'NS', 'BS']);

/** An item as DynamoDB stores it: marshalled again when the document client already unmarshalled it. */
function asStored(item: unknown): AttributeMap | undefined {
  if (!item || typeof item !== 'object') return undefined;
  const values = Object.values(item as Record<string, unknown>);
  const marshalled = values.every((v) => v !== null && typeof v === 'object' && Object.keys(v).length === 1 && ATTRIBUTE_TYPES.has(Object.keys(v)[0]!));
  return marshalled ? (item as AttributeMap) : marshall(item as Record<string, unknown>, { removeUndefinedValues: true, convertClassInstanceToMap: true });
}

function isConditionFailure(error: unknown): boolean {
  const name = (error as { name?: string })?.name;
  return name === 'ConditionalCheckFailedException' || name === 'TransactionCanceledException';
}

const KB = 1024;
const readUnits = (bytes: number) => Math.max(1, Math.ceil(bytes / (4 * KB)));
const baseWriteUnits = (item: AttributeMap | undefined) => Math.max(1, Math.ceil(itemSize(item) / KB));

const larger = (a: AttributeMap | undefined, b: AttributeMap | undefined) => (itemSize(a) >= itemSize(b) ? a : b);

function keyOf(item: AttributeMap): AttributeMap {
  return { [tableDefinition.partitionKey]: item[tableDefinition.partitionKey]!, [tableDefinition.sortKey]: item[tableDefinition.sortKey]! };
}

/** Index writes: an entry that stays costs one write, one whose key changes costs a delete and a put. */
function indexUnits(before: AttributeMap | undefined, after: AttributeMap | undefined): number {
  let units = 0;
  for (const index of tableDefinition.globalSecondaryIndexes) {
    const keyBefore = before?.[index.partitionKey] && before[index.sortKey] ? `${before[index.partitionKey]!.S}|${before[index.sortKey]!.S}` : undefined;
    const keyAfter = after?.[index.partitionKey] && after[index.sortKey] ? `${after[index.partitionKey]!.S}|${after[index.sortKey]!.S}` : undefined;
    if (keyBefore && keyAfter && keyBefore === keyAfter) units += baseWriteUnits(after);
    else {
      if (keyBefore) units += baseWriteUnits(before);
      if (keyAfter) units += baseWriteUnits(after);
    }
  }
  return units;
}

/** DynamoDB item size: attribute name lengths plus value sizes (docs: "Item sizes and formats"). */
export function itemSize(item: AttributeMap | undefined): number {
  if (!item) return 0;
  let size = 0;
  for (const [name, value] of Object.entries(item)) size += Buffer.byteLength(name) + valueSize(value);
  return size;
}

function valueSize(value: AttributeValue): number {
  if (value.S !== undefined) return Buffer.byteLength(value.S);
  if (value.N !== undefined) return Math.ceil(value.N.replace(/^-|\.|e.*$/gi, '').length / 2) + 1;
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  if (value.B !== undefined) return value.B.length;
  if (value.L) return 3 + value.L.reduce((sum, v) => sum + 1 + valueSize(v), 0);
  if (value.M) return 3 + Object.entries(value.M).reduce((sum, [k, v]) => sum + 1 + Buffer.byteLength(k) + valueSize(v), 0);
  if (value.SS) return value.SS.reduce((sum, s) => sum + Buffer.byteLength(s), 0);
  if (value.NS) return value.NS.reduce((sum, n) => sum + Math.ceil(n.length / 2) + 1, 0);
  return 0;
}
