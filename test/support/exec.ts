// Runs a command in a container through the raw Engine API (exec create, start with a
// TTY, inspect), without the library under test: how the workspace tests look inside a
// workspace until the exec feature lands. Output is stdout and stderr together (a TTY
// does not keep them apart) with "\r\n" turned into "\n".
import http from 'node:http';
import { rawRequest } from './engines.js';

export interface ExecResult {
  readonly exitCode: number;
  readonly output: string;
}

function socketOf(host: string): string {
  if (!host.startsWith('unix://')) throw new Error(`execIn supports unix:// hosts only, got ${host}`);
  return host.slice('unix://'.length);
}

/** The API version to speak: the engine's own (a Docker 28 refuses old ones). */
async function apiVersion(host: string): Promise<string> {
  const r = await rawRequest(host, 'GET', '/version');
  return (JSON.parse(r.body.toString()) as { ApiVersion: string }).ApiVersion;
}

/** Starts a command in the container and returns at once, leaving it running (e.g. a fork bomb). */
export async function execDetached(host: string, container: string, cmd: readonly string[]): Promise<void> {
  const v = await apiVersion(host);
  const created = await rawRequest(host, 'POST', `/v${v}/containers/${encodeURIComponent(container)}/exec`, JSON.stringify({ Cmd: cmd }));
  if (created.status !== 201) throw new Error(`exec create in ${container}: HTTP ${created.status} ${created.body.toString()}`);
  const id = (JSON.parse(created.body.toString()) as { Id: string }).Id;
  const started = await rawRequest(host, 'POST', `/v${v}/exec/${id}/start`, JSON.stringify({ Detach: true }));
  if (started.status >= 400) throw new Error(`exec start in ${container}: HTTP ${started.status} ${started.body.toString()}`);
}

export async function execIn(host: string, container: string, cmd: readonly string[], options: { user?: string; timeoutMs?: number } = {}): Promise<ExecResult> {
  const v = await apiVersion(host);
  const created = await rawRequest(
    host,
    'POST',
    `/v${v}/containers/${encodeURIComponent(container)}/exec`,
    JSON.stringify({ Cmd: cmd, AttachStdout: true, AttachStderr: true, Tty: true, ...(options.user === undefined ? {} : { User: options.user }) }),
  );
  if (created.status !== 201) throw new Error(`exec create in ${container}: HTTP ${created.status} ${created.body.toString()}`);
  const id = (JSON.parse(created.body.toString()) as { Id: string }).Id;
  const output = await new Promise<string>((resolve, reject) => {
    const body = JSON.stringify({ Detach: false, Tty: true });
    const req = http.request(
      { socketPath: socketOf(host), method: 'POST', path: `/v${v}/exec/${id}/start`, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }, timeout: options.timeoutMs ?? 60_000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          if ((res.statusCode ?? 0) >= 400) reject(new Error(`exec start: HTTP ${res.statusCode ?? 0} ${Buffer.concat(chunks).toString()}`));
          else resolve(Buffer.concat(chunks).toString('utf8').replace(/\r\n/g, '\n'));
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`exec in ${container}: no end within ${options.timeoutMs ?? 60_000} ms`)));
    req.on('error', reject);
    req.end(body);
  });
  // The exit code is final once the stream has ended; Podman may need a moment to record it.
  for (let i = 0; i < 50; i++) {
    const info = JSON.parse((await rawRequest(host, 'GET', `/v${v}/exec/${id}/json`)).body.toString()) as { Running: boolean; ExitCode: number | null };
    if (!info.Running && info.ExitCode !== null) return { exitCode: info.ExitCode, output };
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`exec ${cmd.join(' ')} in ${container}: still running after its output ended`);
}
