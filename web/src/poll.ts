import { useEffect, useRef } from 'preact/hooks';

/** Anything that changed data on the server (a send, a move) asks every poller to look again now. */
const changes = new EventTarget();
export const refreshAll = () => changes.dispatchEvent(new Event('refresh'));

export interface PollOptions {
  pollMs: number;
  maxPollMs: number;
}

/**
 * Runs `load` now, then again while the tab is visible: at `pollMs` after a change, backing off ×1.5
 * while nothing changes and ×2 after an error, up to `maxPollMs`. `load` answers a fingerprint of what
 * it saw. A hidden tab polls nothing; coming back runs at once.
 */
export function usePoll(load: () => Promise<string>, deps: unknown[], { pollMs, maxPollMs }: PollOptions): void {
  const latest = useRef(load);
  latest.current = load;
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    let running = false;
    let delay = pollMs;
    let seen: string | undefined;
    const schedule = () => {
      clearTimeout(timer);
      if (!stopped && document.visibilityState === 'visible') timer = setTimeout(run, delay);
    };
    const run = async () => {
      if (running || stopped) return;
      running = true;
      try {
        const fingerprint = await latest.current();
        delay = fingerprint === seen ? Math.min(delay * 1.5, maxPollMs) : pollMs;
        seen = fingerprint;
      } catch {
        delay = Math.min(delay * 2, maxPollMs);
      } finally {
        running = false;
      }
      schedule();
    };
    const now = () => {
      delay = pollMs;
      void run();
    };
    const onVisibility = () => (document.visibilityState === 'visible' ? now() : clearTimeout(timer));
    document.addEventListener('visibilitychange', onVisibility);
    changes.addEventListener('refresh', now);
    void run();
    return () => {
      stopped = true;
      clearTimeout(timer);
      document.removeEventListener('visibilitychange', onVisibility);
      changes.removeEventListener('refresh', now);
    };
  }, deps);
}
