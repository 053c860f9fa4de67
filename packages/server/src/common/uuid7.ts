// UUID version 7 (RFC 9562): time-ordered ids. Rows written in one transaction share a timestamp; ordering them by
// (time, id) then keeps the order they were created in, because ids from this process only ever increase.
import { randomBytes } from 'node:crypto';

let lastMs = 0;
let counter = 0;

export function uuid7(now = Date.now()): string {
  if (now > lastMs) {
    lastMs = now;
    counter = randomBytes(2).readUInt16BE(0) & 0x1ff; // leave room to count up within the millisecond
  } else {
    counter += 1;
    if (counter > 0xfff) {
      lastMs += 1; // more than 4096 ids in a millisecond: borrow the next one
      counter = 0;
    }
  }
  const bytes = randomBytes(16);
  bytes.writeUIntBE(lastMs, 0, 6);
  bytes[6] = 0x70 | (counter >> 8);
  bytes[7] = counter & 0xff;
  bytes[8] = 0x80 | (bytes[8]! & 0x3f);
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
