// Types for scripts/swarm-cluster.js (plain JS, used by tests and the bench).

export interface DockerdHandle {
  readonly name: string;
  readonly version: string;
  readonly dir: string;
  readonly socketPath: string;
  readonly host: string;
  readonly log: string;
  readonly pid: number;
  stop(graceMs?: number): Promise<void>;
  kill(): Promise<void>;
  restart(): Promise<DockerdHandle>;
}

export interface SwarmClusterNode {
  /** n1 (the manager), n2, n3 ... */
  readonly name: string;
  /** `<run id>-<name>`: what Swarm reports as the node's hostname. */
  readonly hostname: string;
  readonly ip: string;
  /** The node's network namespace file (nsenter --net=...). */
  readonly netns: string;
  readonly role: 'manager' | 'worker';
  readonly dir: string;
  /** unix:///…/docker.sock of its engine, reachable from this machine. */
  readonly host: string;
  readonly socketPath: string;
  readonly pid: number;
  readonly nodeId: string;
  readonly engine: DockerdHandle;
}

export interface SwarmCluster extends AsyncDisposable {
  readonly id: string;
  readonly dir: string;
  readonly version: string;
  /** 10.250.N.0/24: the only network the nodes have. */
  readonly subnet: string;
  readonly hubIp: string;
  /** The address in the subnet that `--dns` and resolv.conf name, where nobody answers. */
  readonly deadDns: string;
  /** HOST:PORT of the registry in the hub namespace. */
  readonly registry: string;
  /** The busybox test image (with /workspace owned by WORKSPACE_UID), pullable by every node. */
  readonly image: string;
  readonly nodes: readonly SwarmClusterNode[];
  readonly manager: SwarmClusterNode;
  readonly workers: readonly SwarmClusterNode[];
  /** From swarm init to every node ready and the manager drained. */
  readonly formedMs: number;
  readonly timings: { enginesMs: number; imageMs: number; formMs: number; totalMs: number };
  killNode(node: SwarmClusterNode): Promise<void>;
  /** Per node hostname: packets that left for outside the subnet (`leaked`), DNS packets to the dead resolver (`dns`). */
  readEgress(): Record<string, { leaked: number; dns: number }>;
  /** Per node hostname: its IPv4 routes. */
  routes(): Record<string, string[]>;
  destroy(): Promise<void>;
}

export interface SwarmClusterOptions {
  readonly version?: '20' | '26' | '28';
  /** How many workers (of `version`), or one entry per worker (e.g. an older engine, kept drained). Default 2. */
  readonly workers?: number | readonly { readonly version?: '20' | '26' | '28'; readonly availability?: 'active' | 'drain' | 'pause' }[];
  readonly dir?: string;
  readonly egress?: boolean;
  readonly log?: (line: string) => void;
}

export const WORKSPACE_UID: number;
export function startSwarmCluster(options?: SwarmClusterOptions): Promise<SwarmCluster>;
export function stopSwarmCluster(dir: string): Promise<void>;
export function unixRequest(
  socketPath: string,
  method: string,
  urlPath: string,
  body?: unknown,
  headers?: Record<string, string>,
  timeoutMs?: number,
): Promise<{ status: number; body: string }>;
