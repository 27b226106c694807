import { useEffect, useRef, useState } from 'preact/hooks';

/** A frame of the live channel (contract, "Live updates"): a hint of what changed, never the data. */
export type Hint = { type: 'conversation'; conversationId: string; change: string } | { type: 'notification'; unread: number };

export type LiveState = 'connecting' | 'live' | 'reconnecting' | 'off';

/**
 * API Gateway closes a connection idle for 10 minutes. A ping every 4 keeps an open console connected even when a
 * background tab's timers run late (browsers hold them to about once a minute).
 */
export const KEEP_ALIVE_MS = 4 * 60 * 1000;
const MAX_BACKOFF_MS = 30_000;

/**
 * The console's WebSocket: hints in, a ping out now and then. It reconnects with backoff (1 s doubling to
 * 30 s, with jitter) and, after reconnecting, tells every view to fetch once: what changed meanwhile.
 */
export class LiveChannel extends EventTarget {
  state: LiveState = 'off';
  private socket: WebSocket | undefined;
  private retry: ReturnType<typeof setTimeout> | undefined;
  private keepAlive: ReturnType<typeof setInterval> | undefined;
  private attempts = 0;
  private stopped = false;

  constructor(
    private readonly url: string | undefined,
    private readonly token: () => string,
  ) {
    super();
  }

  start(): void {
    if (!this.url) return;
    this.stopped = false;
    this.open();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retry);
    clearInterval(this.keepAlive);
    this.socket?.close();
    this.setState('off');
  }

  private open(): void {
    const reconnecting = this.attempts > 0;
    this.setState(reconnecting ? 'reconnecting' : 'connecting');
    const socket = new WebSocket(`${this.url}?token=${encodeURIComponent(this.token())}`);
    this.socket = socket;
    socket.onopen = () => {
      this.attempts = 0;
      this.setState('live');
      clearInterval(this.keepAlive);
      this.keepAlive = setInterval(() => socket.readyState === WebSocket.OPEN && socket.send('{"action":"ping"}'), KEEP_ALIVE_MS);
      // Whatever happened while the socket was down: every view fetches once.
      if (reconnecting) this.dispatchEvent(new Event('reconnected'));
    };
    socket.onmessage = (message) => {
      try {
        this.dispatchEvent(new CustomEvent<Hint>('hint', { detail: JSON.parse(String(message.data)) as Hint }));
      } catch {
        // Not a frame of ours: ignored.
      }
    };
    socket.onclose = () => {
      clearInterval(this.keepAlive);
      if (this.stopped || this.socket !== socket) return;
      this.attempts++;
      this.setState('reconnecting');
      const backoff = Math.min(1000 * 2 ** (this.attempts - 1), MAX_BACKOFF_MS);
      this.retry = setTimeout(() => this.open(), backoff / 2 + Math.random() * (backoff / 2));
    };
  }

  private setState(state: LiveState): void {
    if (this.state === state) return;
    this.state = state;
    this.dispatchEvent(new Event('state'));
  }
}

/** Anything that changed data on the server from this tab (a send, a move) asks every view to look again now. */
const changes = new EventTarget();
export const refreshAll = () => changes.dispatchEvent(new Event('refresh'));

export interface LiveOptions {
  channel: LiveChannel;
  /** The safety poll while the socket is down (or no live channel is deployed). */
  fallbackPollMs: number;
}

/**
 * Runs `load` now, then again when a hint it `wants` arrives, after the socket reconnects, or when this tab
 * changed something. Only while the socket is down does it poll, slowly, with a visible tab. An open, idle
 * console makes no request at all.
 */
export function useLive(load: () => Promise<unknown>, deps: unknown[], wants: (hint: Hint) => boolean, { channel, fallbackPollMs }: LiveOptions): void {
  const latest = useRef({ load, wants });
  latest.current = { load, wants };
  useEffect(() => {
    let stopped = false;
    let running = false;
    let again = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const run = async () => {
      if (stopped) return;
      if (running) {
        again = true;
        return;
      }
      running = true;
      try {
        await latest.current.load();
      } catch {
        // Shown by the view; the next hint or poll tries again.
      } finally {
        running = false;
      }
      if (again) {
        again = false;
        void run();
      }
      schedule();
    };
    const schedule = () => {
      clearTimeout(timer);
      if (!stopped && channel.state !== 'live' && document.visibilityState === 'visible') timer = setTimeout(() => void run(), fallbackPollMs);
    };
    const onHint = (event: Event) => {
      if (latest.current.wants((event as CustomEvent<Hint>).detail)) void run();
    };
    const onReconnected = () => void run();
    const onState = () => schedule();
    const onVisibility = () => {
      if (document.visibilityState === 'visible' && channel.state !== 'live') void run();
      else schedule();
    };
    channel.addEventListener('hint', onHint);
    channel.addEventListener('reconnected', onReconnected);
    channel.addEventListener('state', onState);
    changes.addEventListener('refresh', onReconnected);
    document.addEventListener('visibilitychange', onVisibility);
    void run();
    return () => {
      stopped = true;
      clearTimeout(timer);
      channel.removeEventListener('hint', onHint);
      channel.removeEventListener('reconnected', onReconnected);
      channel.removeEventListener('state', onState);
      changes.removeEventListener('refresh', onReconnected);
      document.removeEventListener('visibilitychange', onVisibility);
    };
  }, deps);
}

/** The channel's state, for the header's small "live / reconnecting" sign. */
export function useLiveState(channel: LiveChannel): LiveState {
  const [state, setState] = useState(channel.state);
  useEffect(() => {
    const update = () => setState(channel.state);
    channel.addEventListener('state', update);
    update();
    return () => channel.removeEventListener('state', update);
  }, [channel]);
  return state;
}
