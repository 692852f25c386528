// How many connections the daemon holds, and which one gives way when a new client comes and
// they are all taken. Everyone who reaches the socket is local and trusted, but a stuck or
// hostile client must not lock the others out (issue #13: 1,030 connections sending a byte a
// second kept every new client out for 30-35 s). A connection with no request in progress
// (still sending its headers, or idle between requests) is cheap to drop and holds nothing of
// value: the one waiting longest makes room. Requests in progress (streams, dumps, an /add)
// are never cut for a newcomer; they are bounded on their own (--max-streams, dump slots).
import type http from 'node:http';
import type net from 'node:net';

export const MAX_CONNECTIONS = 1024;

export class ConnectionGuard {
  /** Connections with no request in progress, oldest first (a Map keeps insertion order). */
  private readonly idle = new Map<net.Socket, number>();
  /** Connections with requests in progress, and how many (pipelined requests queue up). */
  private readonly busy = new Map<net.Socket, number>();
  /** Connections dropped to make room, and newcomers refused (everything busy). */
  evicted = 0;
  refused = 0;

  constructor(
    server: http.Server,
    readonly max = MAX_CONNECTIONS,
  ) {
    server.on('connection', (socket: net.Socket) => this.admit(socket));
  }

  get count(): number {
    return this.idle.size + this.busy.size;
  }

  private admit(socket: net.Socket): void {
    if (this.count >= this.max) {
      const [oldest] = this.idle.keys();
      if (oldest) {
        this.forget(oldest);
        oldest.destroy();
        this.evicted++;
      } else {
        this.refused++;
        const body = `${this.max} requests are in progress: retry in a moment\n`;
        socket.end(
          `HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n` +
            `Content-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
        );
        socket.destroySoon();
        return;
      }
    }
    this.idle.set(socket, Date.now());
    socket.once('close', () => this.forget(socket));
  }

  /** A request is being answered on `res`'s connection: it is not idle until the answer is done. */
  working(res: http.ServerResponse): void {
    const socket = res.socket;
    if (!socket || socket.destroyed) return;
    if (!this.idle.delete(socket) && !this.busy.has(socket)) return; // not one of ours (refused)
    this.busy.set(socket, (this.busy.get(socket) ?? 0) + 1);
    res.once('close', () => {
      const n = this.busy.get(socket);
      if (n === undefined) return;
      if (n > 1) {
        this.busy.set(socket, n - 1);
        return;
      }
      this.busy.delete(socket);
      // Keep-alive: waiting for its next request, the newest idle one.
      if (!socket.destroyed) this.idle.set(socket, Date.now());
    });
  }

  /**
   * Closes the connections with no request in progress (the daemon is stopping). Unlike
   * Node's closeIdleConnections(), an answer that has ended but is not yet written out (a
   * stream's last batches, queued for a client that reads slowly) is not idle: cutting it would
   * cut its body.
   */
  closeIdle(): void {
    for (const socket of [...this.idle.keys()]) {
      this.forget(socket);
      socket.destroy();
    }
  }

  private forget(socket: net.Socket): void {
    this.idle.delete(socket);
    this.busy.delete(socket);
  }
}
