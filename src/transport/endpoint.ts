import { InvalidConfigError, UnsupportedEndpointError } from '../errors.js';

/** A place an engine listens, parsed from a docker host string. */
export type Endpoint =
  | { readonly kind: 'unix'; readonly url: string; readonly socketPath: string }
  | { readonly kind: 'tcp'; readonly url: string; readonly hostname: string; readonly port: number; readonly tls: boolean }
  | { readonly kind: 'ssh'; readonly url: string; readonly user: string | undefined; readonly hostname: string; readonly port: number | undefined };

const DEFAULT_TCP_PORT = 2375;
const DEFAULT_TLS_PORT = 2376;

const EXPECTED = 'expected unix:///path/to/docker.sock, tcp://HOST:PORT, https://HOST:PORT or ssh://[USER@]HOST[:PORT]';

/**
 * A host string with any credentials replaced by `***`, whatever the scheme (known or
 * not): everything before the last `@` of the authority goes, so a password holding an
 * `@` leaves nothing behind. For messages: a host is never echoed with its secret.
 */
export function maskHostCredentials(host: string): string {
  const scheme = /^[a-z0-9+.-]*:\/\//i.exec(host)?.[0] ?? '';
  const rest = host.slice(scheme.length);
  const authorityEnd = rest.search(/[/?#]/);
  const authority = authorityEnd === -1 ? rest : rest.slice(0, authorityEnd);
  const at = authority.lastIndexOf('@');
  return at === -1 ? host : `${scheme}***@${rest.slice(at + 1)}`;
}

/** `HOST[:PORT]` (and user for ssh) of a network host; a path or no host name is a problem. */
function authority(scheme: string, rest: string, expected: string): URL | string {
  let url: URL;
  try {
    url = new URL(`${scheme}://${rest}`);
  } catch {
    return `is not a valid address; expected ${expected}`;
  }
  if (url.pathname !== '' && url.pathname !== '/') return `has a path; expected ${expected}`;
  if (url.hostname === '') return `has no host name; expected ${expected}`;
  return url;
}

/** What readHost found: an endpoint, or what is wrong (`unsupported`: well-formed, but not on this platform). */
export type HostReading =
  | { readonly ok: true; readonly endpoint: Endpoint }
  | { readonly ok: false; readonly problem: string; readonly unsupported?: true };

/**
 * The one reading of a docker host string, for discovery and for the configuration
 * alike: `unix:///path`, `tcp://host:port`, `http(s)://`, `ssh://[user@]host[:port]`;
 * `npipe://` and `fd://` are refused on Linux. A problem is phrased to follow the
 * (masked) value: `"tcp://h:99999" is not a valid address; ...`.
 */
export function readHost(host: string, options: { tls?: boolean; platform?: NodeJS.Platform } = {}): HostReading {
  const bad = (problem: string): HostReading => ({ ok: false, problem });
  const trimmed = host.trim();
  if (trimmed === '') return bad(`is empty; ${EXPECTED}`);
  const scheme = /^([a-z0-9+.-]+):\/\//i.exec(trimmed)?.[1]?.toLowerCase();
  if (scheme === undefined) {
    return bad(trimmed.startsWith('/') ? `has no scheme; did you mean "unix://${trimmed}"?` : `has no scheme; ${EXPECTED}`);
  }
  const rest = trimmed.slice(scheme.length + 3);
  switch (scheme) {
    case 'unix': {
      if (!rest.startsWith('/')) return bad('must name an absolute socket path, e.g. unix:///var/run/docker.sock');
      return { ok: true, endpoint: { kind: 'unix', url: `unix://${rest}`, socketPath: rest } };
    }
    case 'tcp':
    case 'http':
    case 'https': {
      const url = authority('http', rest, 'tcp://HOST:PORT');
      if (typeof url === 'string') return bad(url);
      if (url.username !== '' || url.password !== '') return bad('must not hold credentials; use TLS client certificates');
      const tls = scheme === 'https' || options.tls === true;
      const port = url.port === '' ? (tls ? DEFAULT_TLS_PORT : DEFAULT_TCP_PORT) : Number(url.port);
      const hostname = url.hostname.replace(/^\[(.*)\]$/, '$1');
      const name = hostname.includes(':') ? `[${hostname}]` : hostname;
      return { ok: true, endpoint: { kind: 'tcp', url: `tcp://${name}:${port}`, hostname, port, tls } };
    }
    case 'npipe':
      return {
        ok: false,
        unsupported: true,
        problem:
          (options.platform ?? process.platform) === 'win32'
            ? 'is an npipe:// endpoint, which aicli-docker does not support yet; expose the engine on tcp:// instead'
            : 'is an npipe:// endpoint: those are Windows only. On Linux use unix:///var/run/docker.sock or tcp://HOST:PORT',
      };
    case 'ssh': {
      // As the docker CLI does: `ssh [-l user] [-p port] host -- docker system dial-stdio`.
      const url = authority('ssh', rest, 'ssh://[USER@]HOST[:PORT]');
      if (typeof url === 'string') return bad(url);
      if (url.password !== '') return bad('must not hold a password; use an ssh key or agent');
      const user = url.username === '' ? undefined : decodeURIComponent(url.username);
      const port = url.port === '' ? undefined : Number(url.port);
      const shown = `ssh://${user === undefined ? '' : `${user}@`}${url.hostname}${port === undefined ? '' : `:${port}`}`;
      return { ok: true, endpoint: { kind: 'ssh', url: shown, user, hostname: url.hostname.replace(/^\[(.*)\]$/, '$1'), port } };
    }
    case 'fd':
      return { ok: false, unsupported: true, problem: 'is an fd:// address: a daemon-side listener, not something a client can dial. Use unix:// or tcp://' };
    default:
      return bad(`has an unknown scheme "${scheme}://"; ${EXPECTED}`);
  }
}

/**
 * Parses a host the way the docker CLI accepts it (see readHost). `tls` asks for TLS on
 * tcp (DOCKER_TLS_VERIFY or context TLS data); `https://` implies it. `source` names
 * where the string came from, for the error message, which never shows credentials.
 */
export function parseHost(host: string, options: { tls?: boolean; source?: string; platform?: NodeJS.Platform } = {}): Endpoint {
  const reading = readHost(host, options);
  if (reading.ok) return reading.endpoint;
  const source = options.source ?? 'host';
  const shown = JSON.stringify(maskHostCredentials(host.trim()));
  if (reading.unsupported === true) throw new UnsupportedEndpointError(maskHostCredentials(host.trim()), `${source} is ${shown}, which ${reading.problem}.`);
  throw new InvalidConfigError([{ source, key: 'host', message: `${shown} ${reading.problem}` }]);
}
