import type { Headers } from '../transport/http-transport.js';
import type { PingResult, SystemInfo, VersionInfo } from './types.js';

type Json = Readonly<Record<string, unknown>>;

const str = (o: Json, k: string): string | undefined => (typeof o[k] === 'string' ? o[k] : undefined);
const num = (o: Json, k: string): number => (typeof o[k] === 'number' ? o[k] : 0);

function header(h: Headers, name: string): string | undefined {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
}

export function toPingResult(h: Headers): PingResult {
  return {
    apiVersion: header(h, 'api-version'),
    osType: header(h, 'ostype'),
    experimental: header(h, 'docker-experimental') === 'true',
    builderVersion: header(h, 'builder-version'),
  };
}

export function toVersionInfo(raw: Json): VersionInfo {
  const platform = raw['Platform'] as Json | undefined;
  return {
    version: str(raw, 'Version') ?? 'unknown',
    apiVersion: str(raw, 'ApiVersion') ?? 'unknown',
    minApiVersion: str(raw, 'MinAPIVersion'),
    os: str(raw, 'Os') ?? 'unknown',
    arch: str(raw, 'Arch') ?? 'unknown',
    kernelVersion: str(raw, 'KernelVersion'),
    goVersion: str(raw, 'GoVersion'),
    gitCommit: str(raw, 'GitCommit'),
    platformName: platform === undefined ? undefined : str(platform, 'Name'),
    raw,
  };
}

export function toSystemInfo(raw: Json): SystemInfo {
  const strings = (k: string): string[] => (Array.isArray(raw[k]) ? (raw[k] as unknown[]).filter((x): x is string => typeof x === 'string') : []);
  return {
    id: str(raw, 'ID'),
    name: str(raw, 'Name'),
    serverVersion: str(raw, 'ServerVersion') ?? 'unknown',
    operatingSystem: str(raw, 'OperatingSystem'),
    osType: str(raw, 'OSType') ?? 'unknown',
    kernelVersion: str(raw, 'KernelVersion'),
    architecture: str(raw, 'Architecture'),
    cpus: num(raw, 'NCPU'),
    memoryBytes: num(raw, 'MemTotal'),
    containers: num(raw, 'Containers'),
    containersRunning: num(raw, 'ContainersRunning'),
    images: num(raw, 'Images'),
    driver: str(raw, 'Driver'),
    cgroupVersion: str(raw, 'CgroupVersion'),
    securityOptions: strings('SecurityOptions'),
    warnings: strings('Warnings'),
    raw,
  };
}
