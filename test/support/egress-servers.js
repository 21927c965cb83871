// The egress lab's servers (test/support/egress-lab.ts), run by plain Node inside the
// lab's network namespaces. Every connection, datagram and lookup is one JSON line in
// the log file, so a test sees what reached them.
//   node egress-servers.js outside LOG ZONE   HTTP :80 and :8080, TCP :443 (banner, echo,
//                                             or "SEND n" bytes), DNS :53 (UDP and TCP,
//                                             answers from the ZONE file), UDP sink :9999
//   node egress-servers.js host LOG           the engine host: TCP and UDP :7777, DNS :53
//                                             (logged, never answered)
import { Buffer } from 'node:buffer';
import dgram from 'node:dgram';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import process from 'node:process';

const [role, logFile, zoneFile] = process.argv.slice(2);
if (!logFile || (role !== 'outside' && role !== 'host')) {
  process.stderr.write('usage: egress-servers.js outside LOG ZONE | host LOG\n');
  process.exit(2);
}
const log = (event) => fs.appendFileSync(logFile, `${JSON.stringify({ t: Date.now(), role, ...event })}\n`);
const pending = [];
const listening = (server, port, proto) => new Promise((resolve, reject) => {
  server.once('error', reject);
  if (proto === 'udp') server.bind(port, '0.0.0.0', resolve);
  else server.listen(port, '0.0.0.0', resolve);
});

// --- DNS ---------------------------------------------------------------------
function parseQuestion(msg) {
  const labels = [];
  let at = 12;
  while (at < msg.length) {
    const len = msg[at];
    if (len === 0) { at++; break; }
    labels.push(msg.subarray(at + 1, at + 1 + len).toString('latin1'));
    at += 1 + len;
  }
  const type = msg.length >= at + 2 ? msg.readUInt16BE(at) : 0;
  return { name: labels.join('.').toLowerCase(), type, end: at + 4 };
}

function zone() {
  try { return JSON.parse(fs.readFileSync(zoneFile, 'utf8')); } catch { return {}; }
}

// A "rebind" name answers its first address once, then the second: a resolver that asks
// twice would connect somewhere else than it checked.
const asked = new Map();
function answer(msg) {
  const q = parseQuestion(msg);
  const z = zone();
  let a = q.type === 1 ? z.a?.[q.name] : q.type === 28 ? z.aaaa?.[q.name] : undefined;
  const rebind = z.rebind?.[q.name];
  if (q.type === 1 && rebind !== undefined) {
    const n = asked.get(q.name) ?? 0;
    asked.set(q.name, n + 1);
    a = rebind[Math.min(n, rebind.length - 1)];
  }
  const known = a !== undefined || z.a?.[q.name] !== undefined || z.aaaa?.[q.name] !== undefined;
  const head = Buffer.alloc(12);
  head.writeUInt16BE(msg.readUInt16BE(0), 0);
  head.writeUInt16BE(known ? 0x8180 : 0x8183, 2); // NXDOMAIN for unknown names
  head.writeUInt16BE(1, 4);
  head.writeUInt16BE(a === undefined ? 0 : 1, 6);
  const question = msg.subarray(12, q.end);
  if (a === undefined) return { q, out: Buffer.concat([head, question]) };
  // AAAA values are written as 32 hex digits.
  const rdata = q.type === 1 ? Buffer.from(a.split('.').map(Number)) : Buffer.from(a, 'hex');
  const rr = Buffer.alloc(12);
  rr.writeUInt16BE(0xc00c, 0);
  rr.writeUInt16BE(q.type, 2);
  rr.writeUInt16BE(1, 4);
  rr.writeUInt32BE(5, 6);
  rr.writeUInt16BE(rdata.length, 10);
  return { q, out: Buffer.concat([head, question, rr, rdata]) };
}

function dns(reply) {
  const udp = dgram.createSocket('udp4');
  udp.on('message', (msg, rinfo) => {
    if (msg.length < 12) return;
    const { q, out } = answer(msg);
    log({ event: 'dns', proto: 'udp', from: rinfo.address, name: q.name, type: q.type });
    if (reply) udp.send(out, rinfo.port, rinfo.address);
  });
  pending.push(listening(udp, 53, 'udp'));
  const tcp = net.createServer((sock) => {
    let buf = Buffer.alloc(0);
    sock.on('error', () => sock.destroy());
    sock.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        const msg = buf.subarray(2, 2 + buf.readUInt16BE(0));
        buf = buf.subarray(2 + msg.length);
        if (msg.length < 12) continue;
        const { q, out } = answer(msg);
        log({ event: 'dns', proto: 'tcp', from: sock.remoteAddress, name: q.name, type: q.type });
        if (reply) {
          const len = Buffer.alloc(2);
          len.writeUInt16BE(out.length);
          sock.write(Buffer.concat([len, out]));
        }
      }
    });
  });
  pending.push(listening(tcp, 53, 'tcp'));
}

// --- outside -------------------------------------------------------------------
function httpServer(port) {
  const server = http.createServer((req, res) => {
    log({ event: 'http', port, from: req.socket.remoteAddress, method: req.method, url: req.url, host: req.headers.host });
    const m = /^\/bytes\/(\d+)$/.exec(req.url ?? '');
    if (m) {
      const total = Number(m[1]);
      res.writeHead(200, { 'content-length': total, 'content-type': 'application/octet-stream' });
      sendZeros(res, total, () => res.end());
      return;
    }
    const body = `outside-http port=${port} path=${req.url} host=${req.headers.host}\n`;
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
  pending.push(listening(server, port, 'tcp'));
}

const ZEROS = Buffer.alloc(256 * 1024);
function sendZeros(w, total, done) {
  let left = total;
  const pump = () => {
    while (left > 0) {
      const n = Math.min(left, ZEROS.length);
      left -= n;
      if (!w.write(n === ZEROS.length ? ZEROS : ZEROS.subarray(0, n))) { w.once('drain', pump); return; }
    }
    done();
  };
  pump();
}

function tls443() {
  const server = net.createServer((sock) => {
    const t0 = process.hrtime.bigint();
    let line = '';
    let out = 0;
    const from = sock.remoteAddress;
    sock.on('error', () => sock.destroy());
    sock.write('outside-443 hello\n');
    sock.on('data', (d) => {
      if (line.includes('\n')) return;
      line += d.toString('latin1');
      if (!line.includes('\n')) return;
      const first = line.split('\n')[0].trim();
      const m = /^SEND (\d+)$/.exec(first);
      if (m) {
        const total = Number(m[1]);
        sendZeros(sock, total, () => {
          out = total;
          sock.end(() => log({ event: 'send', port: 443, from, bytes: out, ms: Number(process.hrtime.bigint() - t0) / 1e6 }));
        });
        return;
      }
      log({ event: 'tcp', port: 443, from, line: first.slice(0, 200) });
      sock.end(`echo: ${first}\n`);
    });
  });
  pending.push(listening(server, 443, 'tcp'));
}

function sink(port) {
  const udp = dgram.createSocket('udp4');
  udp.on('message', (msg, rinfo) => log({ event: 'udp', port, from: rinfo.address, text: msg.toString('latin1').trim().slice(0, 200) }));
  pending.push(listening(udp, port, 'udp'));
}

function tcpListener(port) {
  const server = net.createServer((sock) => {
    log({ event: 'tcp', port, from: sock.remoteAddress });
    sock.on('error', () => sock.destroy());
    sock.end(`${role}-${port}\n`);
  });
  pending.push(listening(server, port, 'tcp'));
}

if (role === 'outside') {
  httpServer(80);
  httpServer(8080);
  tls443();
  dns(true);
  sink(9999);
} else {
  tcpListener(7777);
  sink(7777);
  dns(false);
}
await Promise.all(pending);
log({ event: 'ready' });
process.on('SIGTERM', () => process.exit(0));
