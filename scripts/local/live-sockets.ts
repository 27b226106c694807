import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { randomBytes } from 'node:crypto';
import { WebSocketServer, WebSocket } from 'ws';
import type { LiveChannel } from '../../shared/flows/live-hints';
import type { LiveEvent } from '../../functions/live/handler';

/** Invokes the function behind the WebSocket API's `$connect` / `$disconnect` routes. */
export type LiveRoute = (event: LiveEvent) => Promise<{ statusCode?: number } | undefined>;

/** API Gateway's limits on a WebSocket connection. */
const IDLE_MS = 10 * 60 * 1000;
const MAX_MS = 2 * 60 * 60 * 1000;

/**
 * The local stack's stand-in for an API Gateway WebSocket API at `/live`: `$connect` (with the query string)
 * and `$disconnect` go to the live function, which accepts or refuses; frames come in through `post`, as
 * through the management API's PostToConnection in AWS. Messages from the browser go to `$default`, a mock
 * integration in AWS: they keep the connection from idling and do nothing else. Counts what it sends.
 */
export class LocalLiveSockets implements LiveChannel {
  private readonly sockets = new Map<string, { socket: WebSocket; touch: () => void }>();
  private readonly server = new WebSocketServer({ noServer: true });
  /** Every frame sent, oldest first: what the bench and tests count. */
  readonly sent: { connectionId: string; data: string; at: number }[] = [];
  private readonly pending = new Set<Promise<unknown>>();

  constructor(
    private readonly route: LiveRoute,
    private readonly path = '/live',
  ) {}

  /** Handles upgrade requests for the path on an HTTP server; others are refused. */
  attach(http: Server): void {
    http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      const work = this.upgrade(req, socket, head).catch(() => socket.destroy());
      this.pending.add(work);
      void work.finally(() => this.pending.delete(work));
    });
  }

  get openConnections(): number {
    return this.sockets.size;
  }

  private async upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const target = req.url ?? '/';
    const queryAt = target.indexOf('?');
    const path = queryAt < 0 ? target : target.slice(0, queryAt);
    if (path !== this.path) return refuse(socket, 404, 'Not Found');
    const connectionId = randomBytes(12).toString('base64');
    const query = Object.fromEntries(new URLSearchParams(queryAt < 0 ? '' : target.slice(queryAt + 1)));
    const answer = await this.route({ requestContext: { routeKey: '$connect', connectionId, eventType: 'CONNECT' }, queryStringParameters: query });
    const status = answer?.statusCode ?? 200;
    // API Gateway answers a refused $connect with the function's status, and no upgrade.
    if (status < 200 || status > 299) return refuse(socket, status, status === 401 ? 'Unauthorized' : 'Forbidden');
    this.server.handleUpgrade(req, socket, head, (ws) => {
      let idle = setTimeout(() => ws.close(1001, 'Going away'), IDLE_MS);
      const touch = () => {
        clearTimeout(idle);
        idle = setTimeout(() => ws.close(1001, 'Going away'), IDLE_MS);
      };
      this.sockets.set(connectionId, { socket: ws, touch });
      const max = setTimeout(() => ws.close(1001, 'Going away'), MAX_MS);
      ws.on('message', touch);
      ws.on('close', () => {
        clearTimeout(idle);
        clearTimeout(max);
        this.sockets.delete(connectionId);
        const work = this.route({ requestContext: { routeKey: '$disconnect', connectionId, eventType: 'DISCONNECT' } }).catch(() => undefined);
        this.pending.add(work);
        void work.finally(() => this.pending.delete(work));
      });
    });
  }

  async post(connectionId: string, data: string): Promise<'sent' | 'gone'> {
    const entry = this.sockets.get(connectionId);
    if (!entry || entry.socket.readyState !== WebSocket.OPEN) return 'gone';
    await new Promise<void>((resolve, reject) => entry.socket.send(data, (error) => (error ? reject(error) : resolve())));
    entry.touch();
    this.sent.push({ connectionId, data, at: Date.now() });
    return 'sent';
  }

  async close(connectionId: string): Promise<void> {
    this.sockets.get(connectionId)?.socket.close(1008, 'Token expired');
  }

  async stop(): Promise<void> {
    for (const { socket } of this.sockets.values()) socket.terminate();
    await Promise.allSettled([...this.pending]);
    this.server.close();
  }
}

function refuse(socket: Duplex, status: number, reason: string): void {
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}
