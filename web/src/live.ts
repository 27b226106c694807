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
 * This page's id, sent when the live channel connects and with every API call (`X-Live-Tab`): the notifier
 * sends a tab no `read` or bell frame that its own reading caused (it refreshed itself already).
 */
export const TAB_ID = crypto.randomUUID();
export const TAB_HEADER = 'x-live-tab';

/**
 * The console's WebSocket: hints in, a ping out now and then. It reconnects with backoff (1 s doubling to
 * 30 s, with jitter) and, after reconnecting, tells every view to fetch once: what changed meanwhile. When the
 * access token is renewed it opens a connection with the new token before closing the old one (the notifier
 * closes a connection whose token expired), so no frame is missed and nothing is shown.
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
    /** A token valid for a while yet (renewed first when needed); throws once the session has ended. */
    private readonly token: () => Promise<string>,
  ) {
    super();
  }

  start(): void {
    if (!this.url) return;
    this.stopped = false;
    void this.open();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retry);
    clearInterval(this.keepAlive);
    this.socket?.close();
    this.socket = undefined;
    this.setState('off');
  }

  /** A fresh token: a second connection opens with it, and the first closes once the second is open. */
  async renewed(): Promise<void> {
    if (!this.url || this.stopped || this.state !== 'live') return;
    let token: string;
    try {
      token = await this.token();
    } catch {
      return;
    }
    const previous = this.socket;
    const next = new WebSocket(this.address(token));
    next.onopen = () => {
      if (this.stopped || this.socket !== previous) return next.close();
      this.adopt(next, false);
      previous?.close();
    };
    // A refused renewal connection changes nothing: the one open keeps working until it drops.
    next.onerror = () => next.close();
  }

  private address(token: string): string {
    return `${this.url}?token=${encodeURIComponent(token)}&tab=${encodeURIComponent(TAB_ID)}`;
  }

  private async open(): Promise<void> {
    const reconnecting = this.attempts > 0;
    this.setState(reconnecting ? 'reconnecting' : 'connecting');
    let token: string;
    try {
      token = await this.token();
    } catch {
      // The session has ended: the console asks the seller to sign in again.
      return this.stop();
    }
    if (this.stopped) return;
    const socket = new WebSocket(this.address(token));
    this.socket = socket;
    socket.onopen = () => this.adopt(socket, reconnecting);
    socket.onclose = () => this.dropped(socket);
  }

  /** The socket that carries frames from now on. */
  private adopt(socket: WebSocket, reconnecting: boolean): void {
    this.socket = socket;
    this.attempts = 0;
    this.setState('live');
    clearInterval(this.keepAlive);
    this.keepAlive = setInterval(() => socket.readyState === WebSocket.OPEN && socket.send('{"action":"ping"}'), KEEP_ALIVE_MS);
    socket.onmessage = (message) => {
      try {
        this.dispatchEvent(new CustomEvent<Hint>('hint', { detail: JSON.parse(String(message.data)) as Hint }));
      } catch {
        // Not a frame of ours: ignored.
      }
    };
    socket.onclose = () => this.dropped(socket);
    // Whatever happened while the socket was down: every view fetches once.
    if (reconnecting) this.dispatchEvent(new Event('reconnected'));
  }

  private dropped(socket: WebSocket): void {
    if (this.stopped || this.socket !== socket) return;
    clearInterval(this.keepAlive);
    this.attempts++;
    this.setState('reconnecting');
    const backoff = Math.min(1000 * 2 ** (this.attempts - 1), MAX_BACKOFF_MS);
    this.retry = setTimeout(() => void this.open(), backoff / 2 + Math.random() * (backoff / 2));
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
