import { InvalidConfigError, UnsupportedEndpointError } from '../errors.js';

/** A place an engine listens, parsed from a docker host string. */
export type Endpoint =
  | { readonly kind: 'unix'; readonly url: string; readonly socketPath: string }
  | { readonly kind: 'tcp'; readonly url: string; readonly hostname: string; readonly port: number; readonly tls: boolean }
  | { readonly kind: 'ssh'; readonly url: string; readonly user: string | undefined; readonly hostname: string; readonly port: number | undefined };

const DEFAULT_TCP_PORT = 2375;
const DEFAULT_TLS_PORT = 2376;

/** `HOST[:PORT]` (and user for ssh) of a network host; a path or no host name is refused. */
function authority(scheme: string, rest: string, expected: string, bad: (message: string) => Error): URL {
  let url: URL;
  try {
    url = new URL(`${scheme}://${rest}`);
  } catch {
    throw bad(`is not a valid address; expected ${expected}`);
  }
  if (url.pathname !== '' && url.pathname !== '/') throw bad(`has a path; expected ${expected}`);
  if (url.hostname === '') throw bad(`has no host name; expected ${expected}`);
  return url;
}

/**
 * Parses a host the way the docker CLI accepts it (`unix:///path`, `tcp://host:port`,
 * `http(s)://`, `ssh://[user@]host[:port]`; `npipe://` is refused on Linux). `tls` asks for TLS on tcp (DOCKER_TLS_VERIFY or
 * context TLS data); `https://` implies it. `source` names where the string came from,
 * for the error message.
 */
export function parseHost(host: string, options: { tls?: boolean; source?: string; platform?: NodeJS.Platform } = {}): Endpoint {
  const source = options.source ?? 'host';
  // Credentials in a host string are refused, and never echoed back.
  const shown = host.replace(/\/\/[^/@]*@/, '//***@');
  const bad = (message: string): InvalidConfigError =>
    new InvalidConfigError([{ source, key: 'host', message: `${JSON.stringify(shown)} ${message}` }]);
  const trimmed = host.trim();
  if (trimmed === '') throw bad('is empty; expected unix:///path/to/docker.sock or tcp://HOST:PORT');
  const scheme = /^([a-z0-9+.-]+):\/\//i.exec(trimmed)?.[1]?.toLowerCase();
  if (scheme === undefined) {
    throw bad(
      trimmed.startsWith('/')
        ? `has no scheme; did you mean "unix://${trimmed}"?`
        : 'has no scheme; expected unix:///path/to/docker.sock, tcp://HOST:PORT or ssh://USER@HOST',
    );
  }
  const rest = trimmed.slice(scheme.length + 3);
  switch (scheme) {
    case 'unix': {
      if (!rest.startsWith('/')) throw bad('must name an absolute socket path, e.g. unix:///var/run/docker.sock');
      return { kind: 'unix', url: `unix://${rest}`, socketPath: rest };
    }
    case 'tcp':
    case 'http':
    case 'https': {
      const url = authority('http', rest, 'tcp://HOST:PORT', bad);
      if (url.username !== '' || url.password !== '') throw bad('must not hold credentials; use TLS client certificates');
      const tls = scheme === 'https' || options.tls === true;
      const port = url.port === '' ? (tls ? DEFAULT_TLS_PORT : DEFAULT_TCP_PORT) : Number(url.port);
      const hostname = url.hostname.replace(/^\[(.*)\]$/, '$1');
      const name = hostname.includes(':') ? `[${hostname}]` : hostname;
      return { kind: 'tcp', url: `tcp://${name}:${port}`, hostname, port, tls };
    }
    case 'npipe':
      if ((options.platform ?? process.platform) !== 'win32') {
        throw new UnsupportedEndpointError(trimmed, `${source} is ${trimmed}: npipe:// endpoints are Windows only. On Linux use unix:///var/run/docker.sock or tcp://HOST:PORT.`);
      }
      throw new UnsupportedEndpointError(trimmed, `${source} is ${trimmed}: npipe:// endpoints are not supported yet by aicli-docker; expose the engine on tcp:// instead.`);
    case 'ssh': {
      // As the docker CLI does: `ssh [-l user] [-p port] host -- docker system dial-stdio`.
      const url = authority('ssh', rest, 'ssh://[USER@]HOST[:PORT]', bad);
      if (url.password !== '') throw bad('must not hold a password; use an ssh key or agent');
      const user = url.username === '' ? undefined : decodeURIComponent(url.username);
      const port = url.port === '' ? undefined : Number(url.port);
      const shown = `ssh://${user === undefined ? '' : `${user}@`}${url.hostname}${port === undefined ? '' : `:${port}`}`;
      return { kind: 'ssh', url: shown, user, hostname: url.hostname.replace(/^\[(.*)\]$/, '$1'), port };
    }
    case 'fd':
      throw new UnsupportedEndpointError(trimmed, `${source} is ${trimmed}: fd:// is a daemon-side listener, not something a client can dial. Use unix:// or tcp://.`);
    default:
      throw bad(`has an unknown scheme "${scheme}://"; expected unix://, tcp://, https:// or ssh://`);
  }
}
