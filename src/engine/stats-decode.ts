// GET /containers/{id}/stats decoded the way `docker stats` shows it, on cgroup v1 and v2:
//   CPU %      (Δ container usage / Δ system usage) × online CPUs × 100
//   memory     usage minus inactive file cache: `total_inactive_file` (v1) or `inactive_file` (v2)
//   block I/O  io_service_bytes_recursive, ops "Read"/"Write" (v1) or "read"/"write" (v2)
//   network    rx/tx bytes summed over interfaces
// Podman sends the same shape; its one-shot answer has no previous CPU sample.

export interface RawStats {
  readonly read?: string;
  readonly pids_stats?: { readonly current?: number; readonly limit?: number };
  readonly cpu_stats?: RawCpu;
  readonly precpu_stats?: RawCpu;
  readonly memory_stats?: { readonly usage?: number; readonly limit?: number; readonly stats?: Readonly<Record<string, number>> };
  readonly blkio_stats?: { readonly io_service_bytes_recursive?: readonly { readonly op?: string; readonly value?: number }[] | null };
  readonly networks?: Readonly<Record<string, { readonly rx_bytes?: number; readonly tx_bytes?: number }>>;
}

interface RawCpu {
  readonly cpu_usage?: { readonly total_usage?: number; readonly percpu_usage?: readonly number[] | null };
  readonly system_cpu_usage?: number;
  readonly online_cpus?: number;
}

export interface StatsSample {
  /** When the engine took the sample (RFC 3339). */
  readonly read: string;
  /** undefined when the answer holds no previous CPU sample to compare with. */
  readonly cpuPercent: number | undefined;
  readonly onlineCpus: number;
  readonly memoryUsedBytes: number;
  readonly memoryLimitBytes: number;
  readonly memoryPercent: number;
  readonly pids: number;
  /** undefined when the engine reports no PIDs limit. */
  readonly pidsLimit: number | undefined;
  readonly netRxBytes: number;
  readonly netTxBytes: number;
  readonly blockReadBytes: number;
  readonly blockWriteBytes: number;
}

const n = (x: number | undefined): number => (typeof x === 'number' && Number.isFinite(x) ? x : 0);

/** Memory in use as `docker stats` counts it: without the inactive page cache. */
export function memoryUsed(mem: RawStats['memory_stats']): number {
  const usage = n(mem?.usage);
  const stats = mem?.stats ?? {};
  const v1 = stats['total_inactive_file'];
  if (v1 !== undefined && v1 < usage) return usage - v1;
  const v2 = stats['inactive_file'];
  if (v2 !== undefined && v2 < usage) return usage - v2;
  return usage;
}

/** CPU % between two CPU samples; undefined when there is no earlier one. */
export function cpuPercent(cur: RawCpu | undefined, prev: RawCpu | undefined): number | undefined {
  const prevSystem = n(prev?.system_cpu_usage);
  if (prevSystem === 0) return undefined;
  const cpuDelta = n(cur?.cpu_usage?.total_usage) - n(prev?.cpu_usage?.total_usage);
  const systemDelta = n(cur?.system_cpu_usage) - prevSystem;
  const cpus = n(cur?.online_cpus) || (cur?.cpu_usage?.percpu_usage?.length ?? 0) || 1;
  return systemDelta > 0 && cpuDelta > 0 ? (cpuDelta / systemDelta) * cpus * 100 : 0;
}

/** Decodes one answer; `previous` (an earlier answer) stands in for a missing precpu_stats. */
export function toStatsSample(raw: RawStats, previous?: RawStats): StatsSample {
  let blockRead = 0;
  let blockWrite = 0;
  for (const e of raw.blkio_stats?.io_service_bytes_recursive ?? []) {
    const op = (e.op ?? '').toLowerCase();
    if (op === 'read') blockRead += n(e.value);
    else if (op === 'write') blockWrite += n(e.value);
  }
  let rx = 0;
  let tx = 0;
  for (const net of Object.values(raw.networks ?? {})) {
    rx += n(net.rx_bytes);
    tx += n(net.tx_bytes);
  }
  const used = memoryUsed(raw.memory_stats);
  const limit = n(raw.memory_stats?.limit);
  const pidsLimit = raw.pids_stats?.limit;
  const prev = n(raw.precpu_stats?.system_cpu_usage) > 0 ? raw.precpu_stats : previous?.cpu_stats;
  return {
    read: raw.read ?? '',
    cpuPercent: cpuPercent(raw.cpu_stats, prev),
    onlineCpus: n(raw.cpu_stats?.online_cpus) || (raw.cpu_stats?.cpu_usage?.percpu_usage?.length ?? 0),
    memoryUsedBytes: used,
    memoryLimitBytes: limit,
    memoryPercent: limit > 0 ? (used / limit) * 100 : 0,
    pids: n(raw.pids_stats?.current),
    // cgroup v1 reports "max" as 0 or a huge number; neither is a limit.
    pidsLimit: typeof pidsLimit === 'number' && pidsLimit > 0 && pidsLimit < 2 ** 53 ? pidsLimit : undefined,
    netRxBytes: rx,
    netTxBytes: tx,
    blockReadBytes: blockRead,
    blockWriteBytes: blockWrite,
  };
}
