// stop() in-process, where its order can be watched: /readyz turns 503 at once, a request under way finishes, and
// then the server is gone.
import { once } from 'node:events';
import { connect as tcpConnect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { startTestServer } from './helpers/test-server';

describe('graceful stop', () => {
  it('answers /readyz with 503 from the moment it begins, and lets a request under way finish', async () => {
    const server = await startTestServer();
    const { port } = new URL(server.url);
    const socket = tcpConnect(Number(port), '127.0.0.1');
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString('utf8')));
    const closed = new Promise((resolve) => socket.once('close', resolve));
    await new Promise((resolve) => socket.once('connect', resolve));

    // A GraphQL request whose body has not all arrived when the stop begins.
    const body = JSON.stringify({ query: '{ severityLevels { severity } }' });
    const underWay = once(server.httpServer, 'request');
    socket.write(`POST /graphql HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 5)}`);
    await underWay;
    const stopped = server.close();
    // The rest of the body, and behind it on the same connection, a readiness probe.
    socket.write(`${body.slice(5)}GET /readyz HTTP/1.1\r\nHost: localhost\r\n\r\n`);
    await stopped;
    await closed;

    const responses = answer.split(/(?=HTTP\/1\.1 )/);
    expect(responses).toHaveLength(2);
    expect(responses[0]).toMatch(/^HTTP\/1\.1 200 /);
    expect(responses[0]).toContain('"severity":"SEV1"');
    expect(responses[1]).toMatch(/^HTTP\/1\.1 503 /);
    expect(responses[1]).toContain('"status":"shutting down"');
  });
});
