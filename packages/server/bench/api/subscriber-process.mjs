// Subscribers in a process of their own (forked by the bench, told what to do over IPC), so that the sockets'
// work is not the bench's. Each socket speaks graphql-transport-ws (Escalate) or plain WebSocket (the floor) and
// notes when a message it waits for arrives, as epoch milliseconds comparable across processes on this machine.
//
// Messages from the bench:
//   { type: 'connect', url, mode: 'graphql' | 'plain', tokens: [..one per socket], query }
//       → { type: 'connected', open, failed, closes }
//   { type: 'expect', key, value }   from now on, note each socket's first message whose `key` field is `value`
//       → { type: 'received', times, errors, closes } once every open socket has one (or on { type: 'report' })
//   { type: 'count', key, value, ids } note every message whose `key` is `value` and whose ticket id is in `ids`
//       → { type: 'counted', distinct, last } on each { type: 'report' } (counting goes on)
//   { type: 'close' }
import process from 'node:process';
import WebSocket from 'ws';

const now = () => performance.timeOrigin + performance.now();
const sockets = [];
let closes = 0;
/** Subscriptions the server refused (graphql-transport-ws `error` messages). */
let errors = 0;
let expectation = null;
let counting = null;

/** The field `key` of a message's payload (the subscription's one root field, or the plain message). */
function fieldOf(message, key) {
  const root = message.payload?.data ? Object.values(message.payload.data)[0] : Object.values(message)[0];
  return root?.[key];
}

function heard(index, text) {
  const message = JSON.parse(text);
  if (message.type === 'error') errors += 1;
  if (message.type && message.type !== 'next') return;
  if (expectation && expectation.times[index] === null && fieldOf(message, expectation.key) === expectation.value) {
    expectation.times[index] = now();
    expectation.count += 1;
    if (expectation.count === sockets.filter((socket) => socket.readyState === WebSocket.OPEN).length) report();
  }
  if (counting && fieldOf(message, counting.key) === counting.value) {
    const id = fieldOf(message, 'ticket')?.id;
    if (counting.ids.has(id) && !counting.seen.has(id)) {
      counting.seen.add(id);
      counting.last = now();
    }
  }
}

function open(url, mode, token, query, index) {
  return new Promise((resolve) => {
    const socket = new WebSocket(url, mode === 'graphql' ? 'graphql-transport-ws' : undefined);
    sockets[index] = socket;
    let settled = false;
    const done = (ok) => {
      if (!settled) {
        settled = true;
        resolve(ok);
      }
    };
    socket.on('open', () => {
      if (mode === 'plain') return done(true);
      socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } }));
    });
    socket.on('message', (data) => {
      const text = data.toString('utf8');
      if (mode === 'graphql' && !settled) {
        const message = JSON.parse(text);
        if (message.type === 'connection_ack') {
          socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query } }));
          done(true);
        }
        return;
      }
      heard(index, text);
    });
    socket.on('close', () => {
      closes += 1;
      done(false);
    });
    socket.on('error', () => done(false));
  });
}

function report() {
  if (expectation) {
    process.send({ type: 'received', times: expectation.times.filter((time) => time !== null), errors, closes });
    expectation = null;
  }
  if (counting) process.send({ type: 'counted', distinct: counting.seen.size, last: counting.last });
}

process.on('message', async (message) => {
  switch (message.type) {
    case 'connect': {
      let open_ = 0;
      // A few hundred handshakes at a time, as many clients arriving together would.
      for (let first = 0; first < message.tokens.length; first += 200) {
        const batch = message.tokens.slice(first, first + 200).map((token, offset) => open(message.url, message.mode, token, message.query, first + offset));
        open_ += (await Promise.all(batch)).filter(Boolean).length;
      }
      process.send({ type: 'connected', open: open_, failed: message.tokens.length - open_, closes });
      break;
    }
    case 'expect':
      expectation = { key: message.key, value: message.value, times: sockets.map(() => null), count: 0 };
      break;
    case 'count':
      counting = { key: message.key, value: message.value, ids: new Set(message.ids), seen: new Set(), last: null };
      break;
    case 'report':
      report();
      break;
    case 'close':
      for (const socket of sockets) socket?.terminate();
      process.exit(0);
  }
});
