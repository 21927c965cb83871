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

// --- Containers (workspace feature): the Engine API's own field names -----------------

/** One entry of HostConfig.Mounts. */
export interface MountSpec {
  readonly Type: 'bind' | 'volume' | 'tmpfs' | (string & {});
  /** Host path (bind), volume name (volume; absent: anonymous). */
  readonly Source?: string;
  readonly Target: string;
  readonly ReadOnly?: boolean;
  readonly BindOptions?: { readonly Propagation?: 'private' | 'rprivate' | 'shared' | 'rshared' | 'slave' | 'rslave' };
  readonly VolumeOptions?: { readonly NoCopy?: boolean; readonly Labels?: Readonly<Record<string, string>> };
  readonly TmpfsOptions?: { readonly SizeBytes?: number; readonly Mode?: number };
}

export interface UlimitSpec {
  readonly Name: string;
  readonly Soft: number;
  readonly Hard: number;
}

/** Durations in nanoseconds, as the API takes them. */
export interface HealthcheckSpec {
  readonly Test: readonly string[];
  readonly Interval?: number;
  readonly Timeout?: number;
  readonly Retries?: number;
  readonly StartPeriod?: number;
}

export interface RestartPolicySpec {
  readonly Name: '' | 'no' | 'always' | 'unless-stopped' | 'on-failure';
  readonly MaximumRetryCount?: number;
}

export interface HostConfigSpec {
  readonly NanoCpus?: number;
  readonly CpuShares?: number;
  readonly Memory?: number;
  readonly MemorySwap?: number;
  readonly PidsLimit?: number;
  readonly Ulimits?: readonly UlimitSpec[];
  readonly ReadonlyRootfs?: boolean;
  readonly Tmpfs?: Readonly<Record<string, string>>;
  readonly SecurityOpt?: readonly string[];
  readonly CapDrop?: readonly string[];
  readonly CapAdd?: readonly string[];
  readonly Privileged?: boolean;
  readonly RestartPolicy?: RestartPolicySpec;
  readonly Mounts?: readonly MountSpec[];
  /** `SRC:DST[:OPTS]` strings; aicli itself uses Mounts. */
  readonly Binds?: readonly string[];
  readonly NetworkMode?: string;
  readonly Dns?: readonly string[];
  readonly PidMode?: string;
  readonly IpcMode?: string;
  readonly UTSMode?: string;
  readonly UsernsMode?: string;
  readonly CgroupParent?: string;
  readonly Devices?: readonly { readonly PathOnHost: string; readonly PathInContainer: string; readonly CgroupPermissions?: string }[];
  readonly Sysctls?: Readonly<Record<string, string>>;
  readonly Init?: boolean;
  readonly AutoRemove?: boolean;
}

export interface EndpointSpec {
  readonly Aliases?: readonly string[];
  readonly IPAMConfig?: Readonly<Record<string, unknown>>;
}

/** The body of POST /containers/create. */
export interface ContainerCreateBody {
  readonly Image: string;
  readonly Entrypoint?: readonly string[];
  readonly Cmd?: readonly string[];
  readonly User?: string;
  readonly Env?: readonly string[];
  readonly Labels?: Readonly<Record<string, string>>;
  readonly Hostname?: string;
  readonly WorkingDir?: string;
  readonly StopSignal?: string;
  readonly Healthcheck?: HealthcheckSpec;
  readonly HostConfig: HostConfigSpec;
  readonly NetworkingConfig?: { readonly EndpointsConfig?: Readonly<Record<string, EndpointSpec>> };
}
