/** What GET /_ping says in its headers. */
export interface PingResult {
  readonly apiVersion: string | undefined;
  readonly osType: string | undefined;
  readonly experimental: boolean;
  readonly builderVersion: string | undefined;
}

/** GET /version (the fields aicli uses; the rest stays in `raw`). */
export interface VersionInfo {
  readonly version: string;
  readonly apiVersion: string;
  readonly minApiVersion: string | undefined;
  readonly os: string;
  readonly arch: string;
  readonly kernelVersion: string | undefined;
  readonly goVersion: string | undefined;
  readonly gitCommit: string | undefined;
  readonly platformName: string | undefined;
  readonly raw: Readonly<Record<string, unknown>>;
}

/** GET /info (the fields aicli uses; the rest stays in `raw`). */
export interface SystemInfo {
  readonly id: string | undefined;
  readonly name: string | undefined;
  readonly serverVersion: string;
  readonly operatingSystem: string | undefined;
  readonly osType: string;
  readonly kernelVersion: string | undefined;
  readonly architecture: string | undefined;
  readonly cpus: number;
  readonly memoryBytes: number;
  readonly containers: number;
  readonly containersRunning: number;
  readonly images: number;
  readonly driver: string | undefined;
  readonly cgroupVersion: string | undefined;
  readonly securityOptions: readonly string[];
  readonly warnings: readonly string[];
  readonly raw: Readonly<Record<string, unknown>>;
}
