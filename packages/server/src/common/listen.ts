// Listening on a port as a start-up step: a port in use or one that needs privileges is a StartupError saying what
// to do (each listener words it for its own setting), anything else is thrown as it is.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { StartupError } from '../config';

export interface PortProblems {
  /** The port is taken by another program. */
  inUse: string;
  /** The port is below 1024 and the process may not bind it. */
  privileged: string;
}

/** Listens on `port` (0: any free one) and resolves to `http://<host>:<bound port>`, localhost for every interface. */
export function listenOn(server: Server, port: number, host: string, problems: PortProblems): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') reject(new StartupError(problems.inUse));
      else if (error.code === 'EACCES') reject(new StartupError(problems.privileged));
      else reject(error);
    });
    server.listen(port, host, () => {
      const { port: bound } = server.address() as AddressInfo;
      resolve(`http://${host === '0.0.0.0' ? 'localhost' : host}:${bound}`);
    });
  });
}
