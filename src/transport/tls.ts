import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DockerTlsError } from '../errors.js';

/** Client TLS settings for a tcp endpoint. Key material is never logged or shown. */
export interface TlsOptions {
  /** Verify the engine's certificate against `ca` (DOCKER_TLS_VERIFY). */
  readonly verify: boolean;
  readonly ca?: Buffer;
  readonly cert?: Buffer;
  readonly key?: Buffer;
  /** The folder or files the material came from, for error messages. */
  readonly certPath?: string;
}

async function readPem(path: string, what: string, required: boolean): Promise<Buffer | undefined> {
  try {
    return await readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && !required) return undefined;
    throw new DockerTlsError(
      `Cannot read the TLS ${what} ${path}: ${code === 'ENOENT' ? 'no such file' : String(code)}. ` +
        'Set DOCKER_CERT_PATH to the folder holding ca.pem, cert.pem and key.pem, or unset DOCKER_TLS_VERIFY.',
      { path, cause: err },
    );
  }
}

/**
 * Loads `ca.pem`, `cert.pem` and `key.pem` from a folder, as the docker CLI does with
 * DOCKER_CERT_PATH: the CA is required when verifying (contexts may omit it and trust
 * the system's CAs); cert and key go together.
 */
export async function loadTlsFolder(certPath: string, verify: boolean, requireCa = verify): Promise<TlsOptions> {
  const caPath = join(certPath, 'ca.pem');
  const certFile = join(certPath, 'cert.pem');
  const keyFile = join(certPath, 'key.pem');
  const [ca, cert, key] = await Promise.all([
    readPem(caPath, 'CA certificate', requireCa),
    readPem(certFile, 'client certificate', false),
    readPem(keyFile, 'client key', false),
  ]);
  if ((cert === undefined) !== (key === undefined)) {
    const missing = cert === undefined ? certFile : keyFile;
    throw new DockerTlsError(`TLS client certificate and key go together, but ${missing} is missing.`, { path: missing });
  }
  return {
    verify,
    certPath,
    ...(ca === undefined ? {} : { ca }),
    ...(cert === undefined ? {} : { cert }),
    ...(key === undefined ? {} : { key }),
  };
}

/** The options node:tls takes for these settings (both HTTP clients pass them on). */
export function tlsSocketOptions(t: TlsOptions | undefined): { rejectUnauthorized: boolean; ca?: Buffer; cert?: Buffer; key?: Buffer } {
  if (t === undefined) return { rejectUnauthorized: true };
  return {
    rejectUnauthorized: t.verify,
    ...(t.ca === undefined ? {} : { ca: t.ca }),
    ...(t.cert === undefined ? {} : { cert: t.cert }),
    ...(t.key === undefined ? {} : { key: t.key }),
  };
}

const TLS_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_SIGNATURE_FAILURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'ERR_SSL_WRONG_VERSION_NUMBER',
  'ERR_OSSL_PEM_NO_START_LINE',
  'ERR_OSSL_X509_KEY_VALUES_MISMATCH',
]);

/** Whether a socket error came from the TLS handshake rather than the network. */
export function isTlsFailure(err: unknown): boolean {
  const e = err as { code?: unknown; library?: unknown; message?: unknown } | null;
  if (e === null || typeof e !== 'object') return false;
  const code = typeof e.code === 'string' ? e.code : '';
  return TLS_CODES.has(code) || code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_') || e.library === 'SSL routines';
}
