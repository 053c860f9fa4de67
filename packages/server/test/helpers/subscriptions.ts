// A real graphql-ws client (subprotocol graphql-transport-ws) against a test server.
import { Client, createClient } from 'graphql-ws';
import WebSocket from 'ws';

export interface Subscription<T> {
  /** Everything received so far. */
  received: T[];
  /** Resolves with the next message not yet taken (waits up to `timeoutMs`). */
  next(timeoutMs?: number): Promise<T>;
  /** Errors the server answered the subscription with, if any. */
  errors: unknown[];
  close(): Promise<void>;
}

export function connect(httpUrl: string, token: string | null, onClose?: (event: { code: number }) => void): Client {
  return createClient({
    url: httpUrl.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
    retryAttempts: 0,
    lazy: true,
    on: { closed: (event) => onClose?.(event as { code: number }) },
  });
}

export async function subscribe<T = any>(client: Client, query: string, variables: Record<string, unknown> = {}): Promise<Subscription<T>> {
  const received: T[] = [];
  const errors: unknown[] = [];
  let taken = 0;
  const waiters: (() => void)[] = [];
  let ready!: () => void;
  const acknowledged = new Promise<void>((resolve) => (ready = resolve));
  const stop = client.on('connected', () => ready());
  const dispose = client.subscribe<T>(
    { query, variables },
    {
      next: (message) => {
        if (message.errors) errors.push(...message.errors);
        if (message.data) received.push(message.data as T);
        waiters.splice(0).forEach((wake) => wake());
      },
      error: (error) => {
        errors.push(error);
        waiters.splice(0).forEach((wake) => wake());
      },
      complete: () => {},
    },
  );
  await Promise.race([acknowledged, new Promise((resolve) => setTimeout(resolve, 2000))]);
  stop();
  // The server registers the subscription right after the subscribe message; give it a moment.
  await new Promise((resolve) => setTimeout(resolve, 150));
  return {
    received,
    errors,
    async next(timeoutMs = 3000) {
      const deadline = Date.now() + timeoutMs;
      while (received.length <= taken) {
        if (errors.length) throw new Error(`subscription failed: ${JSON.stringify(errors)}`);
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`no message within ${timeoutMs} ms (received ${received.length})`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, left);
        });
      }
      return received[taken++]!;
    },
    async close() {
      dispose();
    },
  };
}
