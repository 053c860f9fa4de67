// A WebSocket speaking graphql-transport-ws by hand, for tests where the protocol's close codes and reasons are what
// is checked (the graphql-ws client, helpers/subscriptions.ts, hides them).
import WebSocket from 'ws';

export interface Closed {
  code: number;
  reason: string;
}

export interface ServerMessage {
  type: string;
  id?: string;
  payload?: any;
}

/** Records what the server sends and how it closes. */
export class RawSocket {
  readonly messages: ServerMessage[] = [];
  readonly closed: Promise<Closed>;
  private wake: () => void = () => {};

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      this.messages.push(JSON.parse(String(data)) as ServerMessage);
      this.wake();
    });
    this.closed = new Promise((resolve) => socket.once('close', (code, reason) => resolve({ code, reason: String(reason) })));
    // A connection the server cuts (a message over its limit) may error on our side too; `closed` says how it ended.
    socket.on('error', () => {});
  }

  /**
   * Opens a socket to the server of this GraphQL endpoint (http://…/graphql); sends `connection_init` (with the
   * token, if any) unless `init` is false. `headers` go with the upgrade request (e.g. a proxy's X-Forwarded-For).
   */
  static async open(url: string, { token, init = true, headers }: { token?: string; init?: boolean; headers?: Record<string, string> } = {}): Promise<RawSocket> {
    const socket = new WebSocket(url.replace(/^http/, 'ws'), 'graphql-transport-ws', { headers });
    const raw = new RawSocket(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', resolve);
      socket.once('error', reject);
    });
    if (init) raw.send({ type: 'connection_init', payload: token ? { authorization: `Bearer ${token}` } : {} });
    return raw;
  }

  send(message: Record<string, unknown>): void {
    this.socket.send(JSON.stringify(message));
  }

  /** The first message of this type (and id, if given), or how the socket closed if it closed first. */
  async receive(type: string, id?: string): Promise<ServerMessage | Closed> {
    const closed = this.closed.then((close) => close);
    const wanted = (message: ServerMessage) => message.type === type && (id === undefined || message.id === id);
    for (;;) {
      const found = this.messages.find(wanted);
      if (found) return found;
      const woken = new Promise<void>((resolve) => (this.wake = resolve));
      const close = await Promise.race([woken.then(() => null), closed]);
      if (close && !this.messages.some(wanted)) return close;
    }
  }

  async close(): Promise<Closed> {
    this.socket.close();
    return this.closed;
  }
}

/** The promise's value, or a failure naming what did not happen within `ms`. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: nothing within ${ms} ms`)), ms)));
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}
