import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConflictRetriesExhausted, retryOnConflict, RETRY } from '../../shared/store/transact';
import { metrics } from '../../shared/observability';

describe('retryOnConflict: the one retry loop for optimistic writes', () => {
  afterEach(() => vi.restoreAllMocks());

  it('returns the first result that is not RETRY, counting each retry', async () => {
    const addMetric = vi.spyOn(metrics, 'addMetric');
    const attempts: number[] = [];
    const result = await retryOnConflict({ name: 'Test', maxAttempts: 5, baseMs: 1 }, async (n) => (attempts.push(n), n < 3 ? RETRY : `done at ${n}`));
    expect(result).toBe('done at 3');
    expect(attempts).toEqual([1, 2, 3]);
    expect(addMetric.mock.calls.filter(([name]) => name === 'TestRetry')).toHaveLength(2);
  });

  it('gives up after maxAttempts with ConflictRetriesExhausted, or the caller\'s error', async () => {
    let calls = 0;
    await expect(retryOnConflict({ name: 'Test', maxAttempts: 3, baseMs: 1 }, async () => (calls++, RETRY))).rejects.toBeInstanceOf(ConflictRetriesExhausted);
    expect(calls).toBe(3);
    await expect(retryOnConflict({ name: 'Test', maxAttempts: 2, baseMs: 1, exhausted: () => new Error('409 please') }, async () => RETRY)).rejects.toThrow('409 please');
  });

  it('does not retry an error: it propagates at once', async () => {
    let calls = 0;
    await expect(retryOnConflict({ name: 'Test', maxAttempts: 5 }, async () => { calls++; throw new Error('boom'); })).rejects.toThrow('boom');
    expect(calls).toBe(1);
  });

  it('waits a jittered, bounded backoff between attempts', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(1);
    const delays: number[] = [];
    vi.spyOn(globalThis, 'setTimeout').mockImplementation(((run: () => void, ms: number) => {
      delays.push(ms);
      run();
      return 0;
    }) as never);
    await retryOnConflict({ name: 'Test', maxAttempts: 4, baseMs: 10, capMs: 50 }, async (n) => (n < 4 ? RETRY : 'ok'));
    // Up to baseMs · 2^n, capped: 20, 40, then 50 instead of 80.
    expect(delays).toEqual([20, 40, 50]);
  });
});
