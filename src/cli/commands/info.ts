import type { Command } from '../command.js';
import { connectCli } from '../connect.js';

export const infoCommand: Command = {
  name: 'info',
  summary: "Show the engine's system information (versions, OS, kernel, CPUs, memory, storage driver).",
  usage: 'aicli-docker info [--json]',
  flags: [],
  async run(ctx) {
    await using client = await connectCli(ctx);
    // /info alone: /version would add ~20 ms on Docker 20.10 for nothing shown here.
    const info = await client.info();
    const out = {
      endpoint: client.endpoint.url,
      serverVersion: info.serverVersion,
      apiVersion: client.apiVersion,
      os: info.osType,
      operatingSystem: info.operatingSystem ?? null,
      kernelVersion: info.kernelVersion ?? null,
      architecture: info.architecture ?? null,
      cpus: info.cpus,
      memoryBytes: info.memoryBytes,
      storageDriver: info.driver ?? null,
      cgroupVersion: info.cgroupVersion ?? null,
      containers: info.containers,
      containersRunning: info.containersRunning,
      images: info.images,
      securityOptions: info.securityOptions,
      warnings: info.warnings,
    };
    if (ctx.global.json) {
      ctx.stdout(`${JSON.stringify(out, null, 2)}\n`);
      return 0;
    }
    const gib = (out.memoryBytes / 2 ** 30).toFixed(1);
    const rows: [string, string][] = [
      ['Endpoint', out.endpoint],
      ['Server', `${out.serverVersion} (API ${out.apiVersion})`],
      ['OS', `${out.operatingSystem ?? out.os} (${out.os}/${out.architecture ?? 'unknown'})`],
      ['Kernel', out.kernelVersion ?? 'unknown'],
      ['CPUs', String(out.cpus)],
      ['Memory', `${gib} GiB (${out.memoryBytes} bytes)`],
      ['Storage', out.storageDriver ?? 'unknown'],
      ['Containers', `${out.containers} (${out.containersRunning} running)`],
      ['Images', String(out.images)],
    ];
    ctx.stdout(rows.map(([k, v]) => `${k.padEnd(12)}${v}`).join('\n') + '\n');
    return 0;
  },
};
