import { inject } from 'vitest';
import { randomUUID } from 'node:crypto';
import { createDb, type Db } from '../../shared/aws';
import { createTable } from '../../scripts/local/create-table';
import type { Deps } from '../../shared/deps';
import type { Clock } from '../../shared/domain/clock';

/** A settable clock: ordering rules are exercised with explicit times. */
export class TestClock implements Clock {
  constructor(private current = new Date('2026-11-01T09:00:00.000Z')) {}
  now(): Date {
    return new Date(this.current);
  }
  set(iso: string): void {
    this.current = new Date(iso);
  }
  advance(ms: number): Date {
    this.current = new Date(this.current.getTime() + ms);
    return this.now();
  }
}

export interface TestTable extends Deps {
  endpoint: string;
  clock: TestClock;
}

/** A freshly created table in the run's DynamoDB Local, with deps pointed at it. */
export async function freshTable(): Promise<TestTable> {
  const endpoint = inject('dynamoEndpoint');
  const table = `t-${randomUUID()}`;
  await createTable(endpoint, table);
  const db: Db = createDb({ endpoint, region: 'us-east-1' });
  return { endpoint, db, table, clock: new TestClock(), defaultRegion: 'US' };
}
