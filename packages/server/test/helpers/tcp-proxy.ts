// A TCP proxy on a port of its own in front of a server (an Escalate server, Redis), for tests of what clients do
// when the network fails: `cut()` drops every open connection, as a network drop would; `down()` also refuses new
// ones until `up()`, as an outage would; `target` may change (a server restarted on another port).
import { once } from 'node:events';
import { type AddressInfo, createServer, connect, type Server, type Socket } from 'node:net';

export interface TcpProxy {
  /** The proxy's own port, to connect to instead of the target's. */
  port: number;
  /** The port connections go on to; when nothing listens there, they are cut at once. */
  target: number;
  cut(): void;
  down(): void;
  up(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(target: number): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let refusing = false;
  const server: Server = createServer((downstream) => {
    if (refusing) {
      downstream.destroy();
      return;
    }
    const upstream = connect(proxy.target, '127.0.0.1');
    sockets.add(downstream).add(upstream);
    downstream.pipe(upstream).pipe(downstream);
    const drop = () => {
      downstream.destroy();
      upstream.destroy();
      sockets.delete(downstream);
      sockets.delete(upstream);
    };
    downstream.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const proxy: TcpProxy = {
    port: (server.address() as AddressInfo).port,
    target,
    cut: () => sockets.forEach((socket) => socket.destroy()),
    down: () => {
      refusing = true;
      proxy.cut();
    },
    up: () => {
      refusing = false;
    },
    close: () => {
      proxy.down();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return proxy;
}
