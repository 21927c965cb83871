import { DockerError, isDockerError, UnsupportedApiVersionError } from '../../errors.js';
import { toSystemSummary } from '../../engine/decode.js';
import { defaultConfig, type DockerConfig } from '../config/index.js';
import { DockerClient, type ConnectOptions } from '../docker-client.js';
import { egressDoctorCheck } from '../egress/doctor.js';
import { apiCheck, differencesCheck, diskCheck, DOCTOR_DEFAULTS, imageCheck, isVersionRefusal, limitChecks, networkCheck, TITLES, warningsCheck, type DoctorCheck } from './checks.js';
import { profileFromVersion } from '../../engine/engine-kind.js';
import { engineDifferences, type EngineDifference } from '../podman/differences.js';

export interface DoctorReport {
  /** No check failed (warnings allowed). */
  readonly ok: boolean;
  /** The engine could not be reached (or refused us): the CLI exits 69. */
  readonly unavailable: boolean;
  readonly endpoint: string | undefined;
  readonly checks: readonly DoctorCheck[];
  readonly failures: number;
  readonly warnings: number;
  /** Where the engine does otherwise than Docker (Podman's list; empty for Docker or when unknown). */
  readonly differences: readonly EngineDifference[];
}

function configOf(c: ConnectOptions['config']): DockerConfig {
  if (c === undefined) return defaultConfig();
  return 'config' in c && 'sources' in c ? c.config : c;
}

function versionSource(c: ConnectOptions['config'], options: ConnectOptions): string {
  if (options.apiVersion !== undefined) return 'the apiVersion option';
  if (c !== undefined && 'sources' in c) return c.sources.version.name;
  return 'DOCKER_API_VERSION';
}

const skipped = (ids: readonly (keyof typeof TITLES)[], why: string): DoctorCheck[] => ids.map((id) => ({ id, title: TITLES[id], status: 'skip', detail: why }));

const AFTER_API = ['network', 'memory', 'cpu', 'pids', 'image', 'disk', 'warnings', 'differences', 'egress'] as const;

function report(checks: DoctorCheck[], endpoint: string | undefined, unavailable: boolean, differences: readonly EngineDifference[] = []): DoctorReport {
  const failures = checks.filter((c) => c.status === 'fail').length;
  return { ok: failures === 0, unavailable, endpoint, checks, failures, warnings: checks.filter((c) => c.status === 'warn').length, differences };
}

/** A fix for a connect failure: the error's own message already says what to do; this is the short form. */
function connectFix(err: DockerError): string {
  if (isDockerError(err, 'DOCKER_TLS_ERROR')) return 'check the TLS material (DOCKER_CERT_PATH: ca.pem, cert.pem, key.pem) against the engine\'s certificates';
  if (isDockerError(err, 'DOCKER_TIMEOUT')) return 'the engine accepts connections but does not answer: check that it is not hung or overloaded (`docker info`), or raise --timeout';
  return 'start the Docker engine (`sudo systemctl start docker`), or point DOCKER_HOST, --host or --context at a running one';
}

/**
 * What a user needs before starting workspaces, checked read-only: the engine answers,
 * speaks a supported API version, the aicli network exists and is aicli's, the kernel
 * enforces the configured limits, the default image is there, disk space is left, and
 * an egress allowlist can be enforced (measured with a probe network, removed at once).
 * Connects itself (never creating the network); throws only for bad configuration.
 */
export async function runDoctor(options: ConnectOptions = {}): Promise<DoctorReport> {
  const config = configOf(options.config);
  const checks: DoctorCheck[] = [];
  const started = performance.now();
  let client: DockerClient;
  try {
    client = await DockerClient.connect({ ...options, ensureNetwork: false });
  } catch (caught) {
    if (!(caught instanceof DockerError)) throw caught;
    const err: DockerError = caught;
    // Bad input is not a finding: it exits 2 like every other command.
    if ((['INVALID_CONFIG', 'INVALID_ARGUMENT', 'UNSUPPORTED_ENDPOINT'] as const).some((code) => isDockerError(err, code))) throw err;
    if (err instanceof UnsupportedApiVersionError) {
      checks.push({ id: 'engine', title: TITLES.engine, status: 'pass', detail: err.endpoint });
      checks.push({ id: 'api', title: TITLES.api, status: 'fail', detail: `the engine speaks API ${err.serverVersion}, older than ${err.minimumVersion}, the oldest aicli-docker supports`, fix: 'upgrade the engine to Docker 20.10 or newer (Podman 4 or newer)' });
      return report([...checks, ...skipped(AFTER_API, 'needs a supported API version')], err.endpoint, true);
    }
    const endpoint = (err as { endpoint?: unknown }).endpoint;
    checks.push({ id: 'engine', title: TITLES.engine, status: 'fail', detail: err.message, fix: connectFix(err) });
    return report([...checks, ...skipped(['api', ...AFTER_API], 'needs the engine')], typeof endpoint === 'string' ? endpoint : undefined, true);
  }
  try {
    const call = { timeoutMs: DOCTOR_DEFAULTS.callTimeoutMs };
    const connectMs = performance.now() - started;
    const ping = await client.ping(call);
    const ep = `${client.endpoint.url} (${client.endpoint.source})`;
    let version;
    try {
      version = await client.version(call);
    } catch (err) {
      if (!isVersionRefusal(err)) throw err;
      checks.push({ id: 'engine', title: TITLES.engine, status: 'pass', detail: `${ep}, answered in ${connectMs.toFixed(0)} ms` });
      checks.push(apiCheck(client.apiVersion, client.apiVersionNegotiated, versionSource(options.config, options), ping.apiVersion, undefined, err));
      return report([...checks, ...skipped(AFTER_API, 'needs an API version the engine accepts')], client.endpoint.url, false);
    }
    const profile = profileFromVersion(version.raw);
    checks.push({ id: 'engine', title: TITLES.engine, status: 'pass', detail: `${ep}: ${profile.label}, answered in ${connectMs.toFixed(0)} ms` });
    checks.push(apiCheck(client.apiVersion, client.apiVersionNegotiated, versionSource(options.config, options), version.apiVersion, version.minApiVersion));
    // egress: the one check that makes something (a probe network, removed at once): an engine's word is not enough.
    const [info, network, image, egress] = await Promise.all([client.info(call), networkCheck(client.api, config, call), imageCheck(client.api, config, call), egressDoctorCheck(client.api, config, call)]);
    const summary = toSystemSummary(info.raw);
    checks.push(network, ...limitChecks(summary, config), image, await diskCheck(summary, client.endpoint.url), warningsCheck(summary));
    const differences = engineDifferences(profile);
    checks.push(differencesCheck(profile, differences, config, summary.security.rootless || info.raw['Rootless'] === true), egress);
    return report(checks, client.endpoint.url, false, differences);
  } finally {
    await client.close();
  }
}
