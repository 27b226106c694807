import { describe, expect, it } from 'vitest';
import { matchesFilter, type FilterPattern } from '../../shared/domain/event-filter';

/** Each matcher of Lambda's filter syntax on its own, at its edges (AWS, "Lambda event filtering"). */
const match = (pattern: FilterPattern, event: unknown) => matchesFilter(pattern, event);

describe('event filter matchers', () => {
  it('only objects are events', () => {
    for (const event of [null, 'x', 5, ['a'], true]) expect(match({ a: ['x'] }, event), JSON.stringify(event)).toBe(false);
    expect(match({ a: ['x'] }, { a: 'x' })).toBe(true);
  });

  it('a list in the event matches when any element does; a list of maps when any map does', () => {
    expect(match({ a: ['x'] }, { a: ['y', 'x'] })).toBe(true);
    expect(match({ a: ['x'] }, { a: ['y', 'z'] })).toBe(false);
    expect(match({ a: { b: ['x'] } }, { a: [{ b: 'y' }, { b: 'x' }] })).toBe(true);
    expect(match({ a: { b: ['x'] } }, { a: [{ b: 'y' }, { b: 'z' }] })).toBe(false);
  });

  it('an absent key matches only exists:false; a map is not a leaf', () => {
    expect(match({ a: [{ exists: false }] }, {})).toBe(true);
    expect(match({ a: ['x', { exists: false }] }, {})).toBe(true);
    expect(match({ a: ['x', { prefix: '' }] }, {})).toBe(false);
    expect(match({ a: [{ exists: true }] }, { a: { b: 1 } })).toBe(false);
    expect(match({ a: [{ exists: true }] }, { a: 'x' })).toBe(true);
    expect(match({ a: [{ exists: false }] }, { a: 'x' })).toBe(false);
    expect(match({ a: { b: [{ exists: false }] } }, {})).toBe(true);
  });

  it('several matchers are ORed; a plain value matches exactly', () => {
    expect(match({ a: ['x', 'y'] }, { a: 'y' })).toBe(true);
    expect(match({ a: [5] }, { a: '5' })).toBe(false);
    expect(match({ a: [null] }, { a: null })).toBe(true);
  });

  it('prefix, suffix and equals-ignore-case apply to strings only', () => {
    expect(match({ a: [{ prefix: 'ab' }] }, { a: 'abc' })).toBe(true);
    expect(match({ a: [{ prefix: 'ab' }] }, { a: 'xabc' })).toBe(false);
    expect(match({ a: [{ prefix: '1' }] }, { a: 12 })).toBe(false);
    expect(match({ a: [{ suffix: 'bc' }] }, { a: 'abc' })).toBe(true);
    expect(match({ a: [{ suffix: 'bc' }] }, { a: 'bca' })).toBe(false);
    expect(match({ a: [{ suffix: '2' }] }, { a: 12 })).toBe(false);
    expect(match({ a: [{ 'equals-ignore-case': 'AbC' }] }, { a: 'aBc' })).toBe(true);
    expect(match({ a: [{ 'equals-ignore-case': 'abc' }] }, { a: 'abd' })).toBe(false);
    expect(match({ a: [{ 'equals-ignore-case': '1' }] }, { a: 1 })).toBe(false);
  });

  it('anything-but: a value, a list, or a prefix', () => {
    expect(match({ a: [{ 'anything-but': 'x' }] }, { a: 'y' })).toBe(true);
    expect(match({ a: [{ 'anything-but': 'x' }] }, { a: 'x' })).toBe(false);
    expect(match({ a: [{ 'anything-but': ['x', 'y'] }] }, { a: 'y' })).toBe(false);
    expect(match({ a: [{ 'anything-but': ['x', 'y'] }] }, { a: 'z' })).toBe(true);
    expect(match({ a: [{ 'anything-but': { prefix: 'ab' } }] }, { a: 'abc' })).toBe(false);
    expect(match({ a: [{ 'anything-but': { prefix: 'ab' } }] }, { a: 'xab' })).toBe(true);
    expect(match({ a: [{ 'anything-but': { prefix: '1' } }] }, { a: 12 })).toBe(false);
  });

  it('numeric: each comparison at its bound, ranges, numbers only', () => {
    const num = (conditions: (string | number)[], value: unknown) => match({ a: [{ numeric: conditions }] }, { a: value });
    expect([num(['=', 5], 5), num(['=', 5], 6)]).toEqual([true, false]);
    expect([num(['<', 5], 4), num(['<', 5], 5)]).toEqual([true, false]);
    expect([num(['<=', 5], 5), num(['<=', 5], 6)]).toEqual([true, false]);
    expect([num(['>', 5], 6), num(['>', 5], 5)]).toEqual([true, false]);
    expect([num(['>=', 5], 5), num(['>=', 5], 4)]).toEqual([true, false]);
    expect([num(['>', 0, '<=', 5], 5), num(['>', 0, '<=', 5], 0), num(['>', 0, '<=', 5], 6)]).toEqual([true, false, false]);
    expect(num(['=', 5], '5')).toBe(false);
  });
});
