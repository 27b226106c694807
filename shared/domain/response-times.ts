/**
 * Response times (contract, "Team inboxes"), kept as messages arrive: each response adds one to a histogram bin in a
 * daily bucket, so a report reads a fixed number of small items whatever the volume. Bins are exact to the second below
 * an hour, to the minute below a day, and to ten minutes beyond (a reported time is at most that much under the true
 * one, under 2 %), so a bucket holds at most a few thousand bins however many responses it counts.
 */
const HOUR = 3600;
const DAY = 86_400;
const MINUTE_BINS = (DAY - HOUR) / 60;

export function binOf(seconds: number): number {
  const s = Math.max(0, Math.floor(seconds));
  if (s < HOUR) return s;
  if (s < DAY) return HOUR + Math.floor((s - HOUR) / 60);
  return HOUR + MINUTE_BINS + Math.floor((s - DAY) / 600);
}

/** The smallest whole second in a bin: what the report shows for a time in it. */
export function secondsOfBin(bin: number): number {
  if (bin < HOUR) return bin;
  if (bin < HOUR + MINUTE_BINS) return HOUR + (bin - HOUR) * 60;
  return DAY + (bin - HOUR - MINUTE_BINS) * 600;
}

export type Histogram = Map<number, number>;

export function mergeInto(target: Histogram, source: Histogram): void {
  for (const [bin, n] of source) target.set(bin, (target.get(bin) ?? 0) + n);
}

/**
 * The q-quantile (0–1) of the times a histogram counts, by linear interpolation between closest ranks (numpy's default,
 * R's type 7, spreadsheets' PERCENTILE.INC): the median of 60 and 120 is 90. Undefined when it counts nothing.
 */
export function quantile(histogram: Histogram, q: number): number | undefined {
  const bins = [...histogram.entries()].filter(([, n]) => n > 0).sort((a, b) => a[0] - b[0]);
  const total = bins.reduce((sum, [, n]) => sum + n, 0);
  if (total === 0) return undefined;
  const rank = q * (total - 1);
  const valueAt = (index: number): number => {
    let seen = 0;
    for (const [bin, n] of bins) {
      seen += n;
      if (index < seen) return secondsOfBin(bin);
    }
    return secondsOfBin(bins.at(-1)![0]);
  };
  const low = Math.floor(rank);
  const fraction = rank - low;
  const below = valueAt(low);
  return fraction === 0 ? below : Math.round(below + (valueAt(low + 1) - below) * fraction);
}

/** The whole UTC days from one date to another, both included: a report's buckets. */
export function daysBetween(from: string, to: string): string[] {
  const days: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += 86_400_000) days.push(new Date(t).toISOString().slice(0, 10));
  return days;
}

export const MAX_REPORT_DAYS = 92;
