import { DockerConnectionLostError, DockerError, DockerNotAvailableError, DockerTlsError, engineSaid, type DiscoveryAttempt } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Candidate, Discovery } from './discovery.js';
import { HttpTransport, type HttpClientKind, type TransportResponse } from './http-transport.js';
import type { RetryPolicy } from './retry.js';

/** A time limit and what set it (`--timeout`, `AICLI_DOCKER_TIMEOUT`, an option); `setBy` undefined: the default. */
export interface TimeLimit {
  readonly ms: number;
  readonly setBy: string | undefined;
}

export interface OpenOptions {
  readonly connectTimeout: TimeLimit;
  readonly requestTimeout: TimeLimit;
  /** Limit for the first ping of each candidate. */
  readonly pingTimeout: TimeLimit;
  readonly retry: RetryPolicy;
  readonly httpClient: HttpClientKind;
  readonly sshCommand: readonly string[];
  readonly logger: Logger;
  readonly signal?: AbortSignal | undefined;
}

export interface OpenedEngine {
  readonly transport: HttpTransport;
  readonly candidate: Candidate;
  /** The answer to the first GET /_ping (its headers carry API-Version, OSType, ...). */
  readonly ping: TransportResponse;
}

function pingFailure(candidate: Candidate, ping: TransportResponse): DockerError {
  const url = candidate.endpoint.url;
  const text = ping.body.toString('utf8');
  if (ping.statusCode === 400 && /HTTP request to an HTTPS server/i.test(text)) {
    return new DockerTlsError(`The Docker engine at ${url} expects TLS, but the connection was plain HTTP. Set DOCKER_TLS_VERIFY=1 and DOCKER_CERT_PATH (ca.pem, cert.pem, key.pem), or use an https:// host.`, { endpoint: url });
  }
  return new DockerNotAvailableError(`The Docker engine at ${url} answered GET /_ping with ${engineSaid(ping.statusCode, text.slice(0, 2000))}`, { endpoint: url });
}

/**
 * An engine with --tlsverify that dislikes the client certificate (or gets none) ends
 * the connection right after the handshake: on the first ping, that is what it means.
 */
function tlsRejection(candidate: Candidate, err: unknown): unknown {
  const ep = candidate.endpoint;
  if (!(err instanceof DockerConnectionLostError) || ep.kind !== 'tcp' || !ep.tls) return err;
  const certPath = candidate.tls?.certPath;
  const had = candidate.tls?.cert === undefined ? 'no client certificate was given' : `the client certificate${certPath === undefined ? '' : ` from ${certPath}`} was most likely rejected`;
  return new DockerTlsError(
    `The Docker engine at ${ep.url} closed the TLS connection before answering GET /_ping: ${had}. ` +
      'Use a client certificate (cert.pem, key.pem) signed by a CA the engine trusts' +
      (certPath === undefined ? '.' : `, in ${certPath}.`),
    { endpoint: ep.url, ...(certPath === undefined ? {} : { path: certPath }), cause: err },
  );
}

/**
 * Pings each candidate in turn and keeps the first that answers. The ping uses GET,
 * not HEAD: undici closes the socket after a HEAD, which would waste the connection.
 */
export async function openEngine(discovery: Discovery, options: OpenOptions): Promise<OpenedEngine> {
  const attempts: DiscoveryAttempt[] = [...discovery.skipped];
  let lastError: unknown;
  for (const candidate of discovery.candidates) {
    // The transport keeps the full retry policy for its whole life, however it was found.
    const transport = new HttpTransport({
      endpoint: candidate.endpoint,
      tls: candidate.tls,
      connectTimeoutMs: options.connectTimeout.ms,
      connectTimeoutSetBy: options.connectTimeout.setBy,
      requestTimeoutMs: options.requestTimeout.ms,
      requestTimeoutSetBy: options.requestTimeout.setBy,
      retry: options.retry,
      logger: options.logger,
      httpClient: options.httpClient,
      sshCommand: options.sshCommand,
    });
    try {
      const ping = await transport.request({
        method: 'GET',
        path: '/_ping',
        signal: options.signal,
        timeoutMs: options.pingTimeout.ms,
        timeoutSetBy: options.pingTimeout.setBy,
        firstPing: true,
        // Implicit candidates are probed once each (the next may answer); an explicit one is retried.
        ...(candidate.explicit ? {} : { retries: 0 }),
      });
      if (ping.statusCode !== 200) throw pingFailure(candidate, ping);
      options.logger.debug({ endpoint: candidate.endpoint.url, source: candidate.source }, 'connected to engine');
      return { transport, candidate, ping };
    } catch (caught) {
      await transport.close();
      const err = tlsRejection(candidate, caught);
      lastError = err;
      attempts.push({ source: candidate.source, endpoint: candidate.endpoint.url, reason: err instanceof Error ? err.message : String(err) });
      // A named engine that fails with its own kind of error (TLS, time-out, abort) is reported as that.
      if (candidate.explicit || options.signal?.aborted === true) {
        if (err instanceof DockerNotAvailableError) {
          throw new DockerNotAvailableError(`${err.message} (endpoint from ${candidate.source})`, { endpoint: candidate.endpoint.url, attempts, cause: err });
        }
        throw err;
      }
    }
  }
  const tried = attempts.map((a) => `  - ${a.source}${a.endpoint === undefined ? '' : ` ${a.endpoint}`}: ${a.reason}`).join('\n');
  throw new DockerNotAvailableError(
    `Cannot connect to a Docker engine. Looked in:\n${tried}\n` +
      'Start the Docker daemon (`sudo systemctl start docker`), or point DOCKER_HOST, --host or --context at a running engine.',
    { attempts, ...(lastError instanceof DockerError ? { cause: lastError } : {}) },
  );
}
