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

// --- Health (issue 8): engine events and the system summary ---

/** One engine event from GET /events, typed. */
export interface EngineEvent {
  /** `container`, `network`, `image`, `volume`, `daemon`, `plugin`, `node`, `service`, ... */
  readonly type: string;
  /** The action without its detail: `create`, `start`, `die`, `health_status`, `exec_start`, ... */
  readonly action: string;
  /** What follows `: ` in the engine's action (`healthy` in `health_status: healthy`). */
  readonly actionDetail: string | undefined;
  /** The object's id (container, network, volume name, image reference). */
  readonly id: string;
  /** The object's name, when the engine gives one. */
  readonly name: string | undefined;
  /** The object's labels, for the events that carry them (containers and images); else empty. */
  readonly labels: Readonly<Record<string, string>>;
  /** Every attribute the engine sent (name, image, exitCode, container, the labels, ...). */
  readonly attributes: Readonly<Record<string, string>>;
  readonly scope: string | undefined;
  readonly time: Date;
  /** Nanoseconds since the epoch, exact, as decimal digits (the value exceeds 2^53). */
  readonly timeNano: string;
}

/** Security features the engine reports in /info `SecurityOptions`. */
export interface SecurityFeatures {
  readonly seccomp: boolean;
  readonly seccompProfile: string | undefined;
  readonly apparmor: boolean;
  readonly selinux: boolean;
  readonly rootless: boolean;
  readonly userNamespaces: boolean;
  readonly cgroupNamespaces: boolean;
  /** The engine's own words, e.g. `name=seccomp,profile=builtin`. */
  readonly options: readonly string[];
}

/** Which resource limits the engine's kernel supports (from /info). */
export interface KernelLimitSupport {
  readonly memory: boolean;
  readonly swap: boolean;
  /** CFS quota and period: what `--cpus` needs. */
  readonly cpuQuota: boolean;
  readonly cpuShares: boolean;
  readonly cpuSet: boolean;
  readonly pids: boolean;
}

/** GET /info, decoded for people: what `info` and `doctor` show. */
export interface SystemSummary {
  readonly name: string | undefined;
  readonly serverVersion: string;
  readonly operatingSystem: string | undefined;
  readonly osType: string;
  readonly architecture: string | undefined;
  readonly kernelVersion: string | undefined;
  readonly cgroupDriver: string | undefined;
  readonly cgroupVersion: string | undefined;
  readonly cpus: number;
  readonly memoryBytes: number;
  readonly containers: { readonly total: number; readonly running: number; readonly paused: number; readonly stopped: number };
  readonly images: number;
  readonly storageDriver: string | undefined;
  /** Where the engine keeps images and containers (DockerRootDir). */
  readonly rootDir: string | undefined;
  readonly security: SecurityFeatures;
  readonly swarm: { readonly state: string; readonly manager: boolean; readonly nodeId: string | undefined };
  readonly limits: KernelLimitSupport;
  /** The engine's own warnings (e.g. "No swap limit support"). */
  readonly warnings: readonly string[];
}
