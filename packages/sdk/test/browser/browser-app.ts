// A browser app on another origin than the API's, for the CORS test: the SDK as a bundler would give it to the page.
// `window.escalate.start(url, token, ticketId)` asks `me`, then listens to the ticket's status changes; what it gets
// (or the error it gets) goes into `window.escalate.log` for the test to read.
import { createClient } from '../../src/index.js';

interface Log {
  me?: string;
  error?: string;
  events: string[];
}

const log: Log = { events: [] };

async function start(url: string, token: string, ticketId: string): Promise<void> {
  const client = createClient({ url, token, retry: false, reconnect: { attempts: 1 } });
  try {
    log.me = (await client.me()).me.role;
    for await (const { ticketStatusChanged } of client.subscribe.ticketStatusChanged({ ticketId })) log.events.push(ticketStatusChanged.to);
  } catch (error) {
    const cause = (error as { cause?: { message?: string } }).cause?.message;
    log.error = `${(error as Error).name}: ${(error as Error).message}${cause ? ` (${cause})` : ''}`;
  }
}

(globalThis as unknown as { escalate: unknown }).escalate = { start, log };
