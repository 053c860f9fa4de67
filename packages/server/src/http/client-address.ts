// Whose address a request counts against, for the rate limits and the WebSocket places alike: the connection's peer,
// or, behind proxies that `trust proxy` (TRUST_PROXY) trusts, the client they name in X-Forwarded-For.
import type { Express } from 'express';
import type { IncomingMessage } from 'node:http';
import proxyAddr from 'proxy-addr';

export type ClientAddress = (request: IncomingMessage) => string;

/**
 * The rule of Express's `req.ip` under the app's `trust proxy` setting, for any request of its server: WebSocket
 * upgrades never pass through Express, and must not count against the proxy's address when HTTP requests do not.
 */
export function clientAddressOf(app: Express): ClientAddress {
  return (request) => proxyAddr(request, app.get('trust proxy fn')) ?? 'unknown';
}
