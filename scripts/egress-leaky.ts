// Shows that the egress checks see each way out: runs the workspace probes against
// deliberately broken variants of the design, in the egress lab, and prints which
// checks fail (each variant must fail some; the real design fails none).
//   node --import tsx scripts/egress-leaky.ts [--engine 20|26|28] [--iptables on|off] [variant...]
// Variants: normal-network, dns-forwarder, no-inhibit, lookup-first (default: all, then none).
import { mkdtempSync, rmSync } from 'node:fs';
import { build } from 'esbuild';
import { startLab } from '../test/support/egress-lab.js';
import { runSelfTest, runWorkspaceChecks, setUpScenario, type Leak } from '../test/support/egress-scenario.js';

const args = process.argv.slice(2);
const opt = (name: string, fallback: string): string => {
  const i = args.indexOf(name);
  if (i === -1) return fallback;
  const v = args[i + 1] ?? fallback;
  args.splice(i, 2);
  return v;
};
const engine = opt('--engine', '20') as '20' | '26' | '28';
const iptables = opt('--iptables', 'off') === 'on';
const variants = (args.length > 0 ? args : ['normal-network', 'dns-forwarder', 'no-inhibit', 'lookup-first', 'none']) as Leak[];

const tmp = mkdtempSync('/tmp/aicli-egress-leaky-');
let failed = false;
try {
  const bundle = `${tmp}/leaky-proxy.cjs`;
  await build({ entryPoints: ['test/support/egress-leaky-proxy.ts'], outfile: bundle, bundle: true, platform: 'node', format: 'cjs', target: 'node20', logLevel: 'warning' });
  for (const leak of variants) {
    const lab = await startLab({ version: engine, iptables });
    try {
      const sc = await setUpScenario(lab, { leak, ...(leak === 'lookup-first' ? { proxyBundle: bundle } : {}) });
      try {
        const self = await runSelfTest(sc);
        if (self.failures.length > 0) throw new Error(`self-test failed: ${self.failures.join('; ')}`);
        const { failures } = await runWorkspaceChecks(sc);
        // A leaky gateway must still work: its failures are to be the leak's, not a dead proxy's.
        const gatewayWorks = !failures.some((f) => f.startsWith('an allowed name works'));
        const expected = leak === 'none' ? failures.length === 0 : failures.length > 0 && (gatewayWorks || leak === 'normal-network');
        if (!expected) failed = true;
        process.stdout.write(`\n## ${leak} (Docker ${engine}, iptables ${iptables ? 'on' : 'off'}): ${failures.length} check(s) failed${expected ? '' : '  <-- UNEXPECTED'}\n`);
        for (const f of failures) process.stdout.write(`- ${f.split('\n')[0] ?? f}\n`);
      } finally {
        await sc.close();
      }
    } finally {
      await lab.close();
    }
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
process.exitCode = failed ? 1 : 0;
