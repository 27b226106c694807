import { useEffect, useState } from 'preact/hooks';

/** A `datetime-local` value (the seller's own zone, minutes) for a time. */
export function toLocalInput(at: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}T${pad(at.getHours())}:${pad(at.getMinutes())}`;
}

/** The ISO time of a `datetime-local` value, read in the seller's zone; undefined when incomplete. */
export function fromLocalInput(value: string): string | undefined {
  const at = new Date(value);
  return value && !Number.isNaN(at.getTime()) ? at.toISOString() : undefined;
}

/** A first proposal: the next quarter hour at least an hour ahead. */
export function defaultSendAt(now = new Date()): string {
  const at = new Date(now.getTime() + 60 * 60_000);
  at.setMinutes(Math.ceil(at.getMinutes() / 15) * 15, 0, 0);
  return toLocalInput(at);
}

/** The earliest and latest a seller may pick (the contract's minute and 35 days). */
export function sendAtBounds(now = new Date()): { min: string; max: string } {
  return { min: toLocalInput(new Date(now.getTime() + 2 * 60_000)), max: toLocalInput(new Date(now.getTime() + 35 * 24 * 3600_000 - 60_000)) };
}

export interface CustomerTimeThen {
  localTime: string;
  timeZone: string;
  quiet: boolean;
  allowedFrom?: string;
}

/**
 * The customer's local time at `iso` by their number, and whether the deployment's quiet hours hold then, worked out
 * with the backend's own time-zone table and window (loaded on first use, apart from the main script).
 */
export function useCustomerTimeAt(number: string | undefined, iso: string | undefined, quietHours: string | undefined): CustomerTimeThen | undefined {
  const [time, setTime] = useState<CustomerTimeThen>();
  useEffect(() => {
    let live = true;
    if (!number || !iso) {
      setTime(undefined);
      return;
    }
    void import('../../shared/domain/quiet-hours').then(({ customerTime, parseQuietHours }) => {
      let window;
      try {
        window = parseQuietHours(quietHours);
      } catch {
        window = undefined;
      }
      const then = customerTime(number, new Date(iso), window);
      if (live) setTime(then && { localTime: then.localTime, timeZone: then.timeZone, quiet: then.quiet, ...(then.allowedFrom ? { allowedFrom: then.allowedFrom } : {}) });
    });
    return () => {
      live = false;
    };
  }, [number, iso, quietHours]);
  return time;
}
