import { systemSummary } from '../../index.js';
import type { Command } from '../command.js';
import { connectCli } from '../connect.js';

const yesNo = (b: boolean): string => (b ? 'yes' : 'no');

export const infoCommand: Command = {
  name: 'info',
  summary: "Show the engine's system summary: versions, OS, kernel, cgroups, CPUs, memory, containers, storage, security, Swarm, warnings.",
  usage: 'aicli-docker info [--json]',
  flags: [],
  async run(ctx) {
    await using client = await connectCli(ctx);
    // /info and /_ping in parallel: /version would add ~20 ms on Docker 20.10 for nothing shown here.
    const s = await systemSummary(client);
    const out = {
      endpoint: s.endpoint,
      name: s.name ?? null,
      serverVersion: s.serverVersion,
      apiVersion: s.apiVersion,
      engineApiVersion: s.engineApiVersion ?? null,
      os: s.osType,
      operatingSystem: s.operatingSystem ?? null,
      kernelVersion: s.kernelVersion ?? null,
      architecture: s.architecture ?? null,
      cgroupDriver: s.cgroupDriver ?? null,
      cgroupVersion: s.cgroupVersion ?? null,
      cpus: s.cpus,
      memoryBytes: s.memoryBytes,
      storageDriver: s.storageDriver ?? null,
      rootDir: s.rootDir ?? null,
      containers: s.containers.total,
      containersRunning: s.containers.running,
      containersPaused: s.containers.paused,
      containersStopped: s.containers.stopped,
      images: s.images,
      security: { ...s.security, seccompProfile: s.security.seccompProfile ?? null },
      swarm: { ...s.swarm, nodeId: s.swarm.nodeId ?? null },
      limits: s.limits,
      securityOptions: s.security.options,
      warnings: s.warnings,
    };
    if (ctx.global.json) {
      ctx.stdout(`${JSON.stringify(out, null, 2)}\n`);
      return 0;
    }
    const gib = (out.memoryBytes / 2 ** 30).toFixed(1);
    const sec = s.security;
    const rows: [string, string][] = [
      ['Endpoint', out.endpoint],
      ['Server', `${out.serverVersion} (API ${out.apiVersion} in use${out.engineApiVersion === null ? '' : `; engine speaks up to ${out.engineApiVersion}`})`],
      ['OS', `${out.operatingSystem ?? out.os} (${out.os}/${out.architecture ?? 'unknown'})`],
      ['Kernel', out.kernelVersion ?? 'unknown'],
      ['Cgroups', `${out.cgroupDriver ?? 'unknown'} driver, v${out.cgroupVersion ?? '?'}`],
      ['CPUs', String(out.cpus)],
      ['Memory', `${gib} GiB (${out.memoryBytes} bytes)`],
      ['Containers', `${out.containers} (${out.containersRunning} running, ${out.containersPaused} paused, ${out.containersStopped} stopped)`],
      ['Images', String(out.images)],
      ['Storage', `${out.storageDriver ?? 'unknown'}${out.rootDir === null ? '' : ` in ${out.rootDir}`}`],
      [
        'Security',
        `seccomp ${sec.seccomp ? (sec.seccompProfile ?? 'yes') : 'no'}, AppArmor ${yesNo(sec.apparmor)}, SELinux ${yesNo(sec.selinux)}, rootless ${yesNo(sec.rootless)}, user namespaces ${yesNo(sec.userNamespaces)}`,
      ],
      ['Limits', `memory ${yesNo(s.limits.memory)}, swap ${yesNo(s.limits.swap)}, CPU quota ${yesNo(s.limits.cpuQuota)}, PIDs ${yesNo(s.limits.pids)}`],
      ['Swarm', `${s.swarm.state}${s.swarm.manager ? ' (manager)' : s.swarm.state === 'active' ? ' (worker)' : ''}`],
      ['Warnings', out.warnings.length === 0 ? 'none' : out.warnings.join('\n' + ' '.repeat(12))],
    ];
    ctx.stdout(rows.map(([k, v]) => `${k.padEnd(12)}${v}`).join('\n') + '\n');
    return 0;
  },
};
