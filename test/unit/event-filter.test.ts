import { describe, expect, it } from 'vitest';
import { marshall } from '@aws-sdk/util-dynamodb';
import { matchesAnyFilter, matchesFilter, type FilterPattern } from '../../shared/domain/event-filter';
import { DISPATCHER_FILTERS, STREAM_FILTERS } from '../../shared/store/stream-consumers';
import { messageItem, newMessage } from '../../shared/store/items/message';

/** A DynamoDB stream record as Lambda's filter sees it. */
const insert = (item: Record<string, unknown>) => ({ eventName: 'INSERT', eventSource: 'aws:dynamodb', dynamodb: { Keys: marshall({ pk: item.pk, sk: item.sk }), NewImage: marshall(item, { removeUndefinedValues: true }) } });

const conversation = { id: 'c1', record: { type: 'contact' as const, id: 'ada' }, assignedTo: { type: 'seller' as const, id: 'alice' } };
const mms = messageItem(
  newMessage(conversation, {
    id: 'm1', direction: 'inbound', from: '+14255550100', to: '+14255550199', body: '', createdAt: '2026-11-01T09:00:00.000Z', status: 'received', provider: 'twilio',
    media: [{ id: 'f1', contentType: 'image/png', status: 'pending', sourceUrl: 'https://api.twilio.com/x', storageKey: 'media/c1/m1/f1' }],
  }),
);
const sms = messageItem(newMessage(conversation, { id: 'm2', direction: 'inbound', from: '+14255550100', to: '+14255550199', body: 'hi', createdAt: '2026-11-01T09:00:01.000Z', status: 'received', provider: 'twilio' }));

describe('Lambda event filtering, as documented', () => {
  const event = { eventName: 'INSERT', dynamodb: { NewImage: { kind: { S: 'message' }, size: { N: '5' }, tags: { L: [{ S: 'a' }, { S: 'b' }] } } }, count: 5, region: 'eu-north-1', flag: true, empty: null };
  it('equals, prefix, suffix, anything-but, equals-ignore-case and numeric on leaves', () => {
    expect(matchesFilter({ eventName: ['INSERT'] }, event)).toBe(true);
    expect(matchesFilter({ eventName: ['MODIFY'] }, event)).toBe(false);
    expect(matchesFilter({ region: [{ prefix: 'eu-' }] }, event)).toBe(true);
    expect(matchesFilter({ region: [{ suffix: '-1' }] }, event)).toBe(true);
    expect(matchesFilter({ region: [{ 'anything-but': ['us-east-1'] }] }, event)).toBe(true);
    expect(matchesFilter({ region: [{ 'anything-but': 'eu-north-1' }] }, event)).toBe(false);
    expect(matchesFilter({ eventName: [{ 'equals-ignore-case': 'insert' }] }, event)).toBe(true);
    expect(matchesFilter({ count: [{ numeric: ['>', 0, '<=', 5] }] }, event)).toBe(true);
    expect(matchesFilter({ count: [{ numeric: ['<', 5] }] }, event)).toBe(false);
    expect(matchesFilter({ flag: [true] }, event)).toBe(true);
    expect(matchesFilter({ empty: [null] }, event)).toBe(true);
  });

  it('exists and does-not-exist look at leaves only', () => {
    expect(matchesFilter({ dynamodb: { NewImage: { kind: { S: [{ exists: true }] } } } }, event)).toBe(true);
    expect(matchesFilter({ dynamodb: { NewImage: { missing: { S: [{ exists: false }] } } } }, event)).toBe(true);
    expect(matchesFilter({ dynamodb: { NewImage: [{ exists: true }] } } as FilterPattern, event)).toBe(false);
    // A list of scalars is a leaf: any element may match.
    expect(matchesFilter({ names: ['b'] }, { names: ['a', 'b'] })).toBe(true);
    expect(matchesFilter({ names: [{ exists: true }] }, { names: [{ a: 1 }] })).toBe(false);
  });

  it('every key of a filter must match; the filters of a mapping are ORed', () => {
    expect(matchesFilter({ eventName: ['INSERT'], region: ['us-east-1'] }, event)).toBe(false);
    expect(matchesAnyFilter([{ region: ['us-east-1'] }, { eventName: ['INSERT'] }], event)).toBe(true);
  });
});

describe('the media copier receives new messages with files, under Lambda\'s semantics', () => {
  it('the former pattern, `exists` on media.L (a list of maps), matches no record at all', () => {
    const former: FilterPattern = { eventName: ['INSERT'], dynamodb: { NewImage: { kind: { S: ['message'] }, media: { L: [{ exists: true }] } } } };
    expect(matchesFilter(former, insert(mms))).toBe(false);
    expect(matchesFilter(former, insert(sms))).toBe(false);
  });

  it('its filter matches a new MMS and no plain SMS, and the dispatcher\'s filter passes the MMS on', () => {
    expect(matchesAnyFilter(STREAM_FILTERS['media-copier'], insert(mms))).toBe(true);
    expect(matchesAnyFilter(STREAM_FILTERS['media-copier'], insert(sms))).toBe(false);
    expect(matchesAnyFilter(DISPATCHER_FILTERS, insert(mms))).toBe(true);
  });
});

describe('the notifier\'s merged filters (Lambda allows 5 per event source mapping)', () => {
  // The seven filters the notifier had before they were merged: the merged ones must select exactly these changes.
  const message = { kind: { S: ['message'] } };
  const SEVEN: FilterPattern[] = [
    { eventName: ['INSERT'], dynamodb: { NewImage: { kind: { S: ['message', 'notification', 'consentChange'] } } } },
    { eventName: ['INSERT', 'MODIFY'], dynamodb: { NewImage: { kind: { S: ['conversation'] } } } },
    { eventName: ['MODIFY'], dynamodb: { NewImage: message } },
    { eventName: ['MODIFY'], dynamodb: { NewImage: { kind: { S: ['notification'] } } } },
    { eventName: ['INSERT', 'MODIFY'], dynamodb: { NewImage: { kind: { S: ['readMark'] } } } },
    { eventName: ['REMOVE'], dynamodb: { OldImage: { kind: { S: ['conversation', 'notification'] } } } },
    { eventName: ['MODIFY'], dynamodb: { NewImage: { kind: { S: ['record'] } } } },
  ];
  const kinds = ['assigned', 'consentChange', 'conversation', 'conversationEvent', 'conversationHead', 'erasure', 'idempotency', 'leadClaim', 'liveConnection', 'membership', 'message', 'moved', 'notification', 'number', 'opportunityLink', 'optOut', 'pendingReport', 'phoneIndex', 'providerMessage', 'readMark', 'record', 'seller', 'team', 'template', 'templateName', 'unreadPointer', 'upload', 'somethingNew'];
  const records = ['INSERT', 'MODIFY', 'REMOVE'].flatMap((eventName) =>
    kinds.flatMap((kind): { eventName: string; dynamodb: Record<string, unknown> }[] => {
      const image = { kind: { S: kind } };
      // INSERT has only a new image, REMOVE only an old one, MODIFY both (its kind may even change).
      if (eventName === 'INSERT') return [{ eventName, dynamodb: { NewImage: image } }];
      if (eventName === 'REMOVE') return [{ eventName, dynamodb: { OldImage: image } }];
      return kinds.map((oldKind) => ({ eventName, dynamodb: { NewImage: image, OldImage: { kind: { S: oldKind } } } }));
    }),
  );

  it('are at most five', () => {
    expect(STREAM_FILTERS.notifier.length).toBeLessThanOrEqual(5);
    expect(DISPATCHER_FILTERS.length).toBeLessThanOrEqual(5);
  });

  it('select exactly the changes the seven separate filters selected, for every event name and item kind', () => {
    const differing = records.filter((record) => matchesAnyFilter(STREAM_FILTERS.notifier, record) !== matchesAnyFilter(SEVEN, record));
    expect(differing).toEqual([]);
    // The comparison is not vacuous: both select some changes and pass over others.
    const selected = records.filter((record) => matchesAnyFilter(SEVEN, record)).length;
    expect(selected).toBeGreaterThan(10);
    expect(selected).toBeLessThan(records.length / 2);
  });
});
