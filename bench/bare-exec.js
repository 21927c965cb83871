#!/usr/bin/env node
// The bare limit for `workspace exec NAME -- cat FILE` (npm run bench): one hijacked exec on
// a raw unix socket, its frames read and counted, nothing else. Plain Node, no dependencies.
//   node bench/bare-exec.js SOCKET CONTAINER FILE   → prints the payload byte count
import http from 'node:http';
import net from 'node:net';
import { Buffer } from 'node:buffer';
import process from 'node:process';

const [socketPath, container, file] = process.argv.slice(2);
function call(method, path, body) {
  return new Promise((resolve, reject) => {
    const r = http.request({ socketPath, method, path, headers: { 'content-type': 'application/json' } }, (res) => {
      let b = '';
      res.on('data', (c) => { b += c; });
      res.on('end', () => { resolve(b); });
    });
    r.on('error', reject);
    r.end(body);
  });
}
const { Id } = JSON.parse(await call('POST', `/containers/${container}/exec`, JSON.stringify({ Cmd: ['cat', file], AttachStdout: true, AttachStderr: true })));
const body = JSON.stringify({ Detach: false, Tty: false });
let head = true;
let need = 8; // bytes left of the current header or payload
let inHeader = true;
const header = Buffer.alloc(8);
let payload = 0;
await new Promise((resolve, reject) => {
  const s = net.connect(socketPath);
  s.on('error', reject);
  s.write(`POST /exec/${Id}/start HTTP/1.1\r\nHost: docker\r\nContent-Type: application/json\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
  let pending = Buffer.alloc(0);
  s.on('data', (d) => {
    if (head) {
      // The engine may write its answer's head in pieces: wait for the blank line.
      pending = Buffer.concat([pending, d]);
      const end = pending.indexOf('\r\n\r\n');
      if (end < 0) return;
      d = pending.subarray(end + 4);
      head = false;
    }
    let at = 0;
    while (at < d.length) {
      const take = Math.min(need, d.length - at);
      if (inHeader) d.copy(header, 8 - need, at, at + take);
      else payload += take;
      need -= take;
      at += take;
      if (need === 0) {
        inHeader = !inHeader;
        need = inHeader ? 8 : header.readUInt32BE(4);
        if (!inHeader && need === 0) { inHeader = true; need = 8; }
      }
    }
  });
  s.on('end', () => { s.end(); resolve(); });
});
await call('GET', `/exec/${Id}/json`);
process.stdout.write(`${payload}\n`);
