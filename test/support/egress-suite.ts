// Egress allowlist per workspace, proven from inside a workspace made by Workspaces.create
// with egress_allow, on one engine alone in a network namespace of its own (see
// egress-lab.ts). One test file per engine and iptables setting
// (test/integration/egress-d*.test.ts), each well within the runner's per-file time-out.
// scripts/egress-leaky.ts runs the same checks against deliberately leaky variants, to
// show they catch each way out.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { egressStatus, GATEWAY_LIMITS, removeEgress, setEgressAllow } from '../../src/index.js';
import { NAMES } from './egress-checks.js';
import { startLab, type Lab } from './egress-lab.js';
import { inspect, runSelfTest, runWorkspaceChecks, SCENARIO_ALLOW, setUpScenario, type Scenario } from './egress-scenario.js';
import { runCli } from './cli.js';
import { engineSkip, rawRequest } from './engines.js';

const execFileP = promisify(execFile);
const skip = engineSkip();
/** A proxied request from inside a running container, through $HTTP_PROXY; the raw answer. */
function viaProxy(request: string): string[] {
  return ['sh', '-c', `P=\${HTTP_PROXY#http://}; P=\${P%/}; (printf '${request}'; sleep 1) | timeout 8 nc -w 4 "\${P%:*}" "\${P##*:}"`];
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The egress tests on one engine: Docker `version`, its iptables on or off. */
export function egressSuite(version: '20' | '26' | '28', iptables: boolean): void {
  describe(`egress on Docker ${version}, iptables ${iptables ? 'on' : 'off'}`, { skip }, () => {
    let lab: Lab | undefined;
    let sc: Scenario | undefined;
    const need = (): { lab: Lab; sc: Scenario } => {
      if (lab === undefined || sc === undefined) throw new Error('the lab did not start');
      return { lab, sc };
    };

    before(async () => {
      lab = await startLab({ version, iptables });
      sc = await setUpScenario(lab);
    });
    after(async () => {
      await sc?.close();
      await lab?.close();
    });

    it('self-test: a plain container reaches the outside server, the UDP sink, the DNS log and the engine host', async () => {
      const { failures, output } = await runSelfTest(need().sc);
      assert.deepEqual(failures, [], `the checks would be blind:\n${output}`);
    });

    it(`the engine's iptables chains (${iptables ? 'on' : 'off'}) live in its own network namespace, none in the host's`, async () => {
      const { lab } = need();
      const { stdout: inE } = await execFileP('ip', ['netns', 'exec', lab.ns.engine, 'iptables-save']);
      const { stdout: onHost } = await execFileP('nft', ['list', 'ruleset']);
      const prefix = lab.aicli.subnet.split('.').slice(0, 2).join('.');
      if (iptables) assert.match(inE, new RegExp(`-s ${lab.aicli.subnet.replace(/\./g, '\\.')} .*-j MASQUERADE`), 'the engine manages iptables in its namespace');
      else assert.doesNotMatch(inE, /DOCKER/, 'an iptables-off engine makes no chains');
      assert.ok(!onHost.includes(`${prefix}.`), "nothing of the lab's networks is in the host's ruleset");
    });

    it('a workspace made with egress_allow reaches its allowed names through the gateway (plain and CONNECT), and nothing else: no route, no host, no DNS', async () => {
      const { failures, output } = await runWorkspaceChecks(need().sc);
      assert.deepEqual(failures, [], `\n${failures.join('\n')}\n--- probe output ---\n${output}`);
    });

    it('the gateway runs hardened (read-only, no capabilities, no new privileges, nobody, limits, no forwarding), and the engine restarts it', async () => {
      const { lab, sc } = need();
      const c = JSON.parse((await rawRequest(lab.host, 'GET', `/containers/${sc.gateway.id}/json`)).body.toString()) as {
        Config: { User: string };
        HostConfig: Record<string, unknown> & { RestartPolicy: { Name: string; MaximumRetryCount: number } };
        State: { Pid: number; Running: boolean };
        RestartCount: number;
        NetworkSettings: { Networks: Record<string, { Aliases: string[] | null }> };
      };
      assert.equal(c.HostConfig['ReadonlyRootfs'], true);
      assert.deepEqual(c.HostConfig['CapDrop'], ['ALL']);
      assert.deepEqual(c.HostConfig['SecurityOpt'], ['no-new-privileges:true']);
      assert.equal(c.HostConfig['Privileged'], false);
      assert.equal(c.HostConfig['Memory'], GATEWAY_LIMITS.memoryBytes);
      assert.equal(c.HostConfig['MemorySwap'], GATEWAY_LIMITS.memoryBytes);
      assert.equal(c.HostConfig['PidsLimit'], GATEWAY_LIMITS.pidsLimit);
      assert.deepEqual(c.HostConfig.RestartPolicy, { Name: 'on-failure', MaximumRetryCount: 5 });
      assert.equal(c.Config.User, '65534:65534');
      assert.deepEqual(Object.keys(c.NetworkSettings.Networks).sort(), [lab.aicli.name, sc.network.name].sort());
      assert.ok(c.NetworkSettings.Networks[sc.network.name]?.Aliases?.includes('aicli-egress'));
      // From the host, about the running process itself.
      const status = readFileSync(`/proc/${c.State.Pid}/status`, 'utf8');
      assert.match(status, /^CapEff:\s+0+$/m);
      assert.match(status, /^CapBnd:\s+0+$/m);
      assert.match(status, /^NoNewPrivs:\s+1$/m);
      assert.match(status, /^Uid:\s+65534\s/m);
      const { stdout: fwd } = await execFileP('nsenter', ['-t', String(c.State.Pid), '-n', 'cat', '/proc/sys/net/ipv4/ip_forward']);
      assert.equal(fwd.trim(), '0', 'a container on two networks is a router unless ip_forward is 0');
      const root = readFileSync(`/proc/${c.State.Pid}/mountinfo`, 'utf8').split('\n').find((l) => l.split(' ')[4] === '/');
      assert.match(root ?? '', /^\S+ \S+ \S+ \S+ \/ (\S+,)?ro[, ]/, `the root file system is mounted read-only: ${root ?? '(none)'}`);

      // Killed, it comes back (on-failure), and the workspace finds it by the same alias.
      process.kill(c.State.Pid, 'SIGKILL');
      await waitFor('the gateway to be restarted', async () => {
        const now = await inspect(lab.host, sc.gateway.id);
        return now.State.Running && now.State.Pid !== c.State.Pid ? true : undefined;
      });
      const probe = await waitFor('the restarted gateway to answer', async () => {
        const r = await lab.exec(sc.workspace.id, viaProxy(`CONNECT ${NAMES.allowed}:443 HTTP/1.1\\r\\n\\r\\nback\\n`));
        return /200 Connection Established[\s\S]*echo: back/.test(r.output) ? r.output : undefined;
      });
      assert.match(probe, /outside-443 hello/);
    });

    it('a new allowlist re-creates only the gateway; ls, inspect and egress show it; no gateway, no egress; rm leaves nothing', async () => {
      const { lab, sc } = need();
      const ws = sc.workspace;
      const before = await lab.exec(ws.id, viaProxy(`CONNECT ${NAMES.later}:443 HTTP/1.1\\r\\n\\r\\n`));
      assert.match(before.output, /^HTTP\/1\.1 403 [\s\S]*later\.test is not on its egress allowlist/m);

      const status = await egressStatus(sc.client.api, { workspaceName: sc.workspaceName, decisions: 200 });
      assert.equal(status.gateway.running, true);
      assert.deepEqual(status.allow, [...SCENARIO_ALLOW]);
      assert.deepEqual(status.ports, [80, 443]);
      const denied = status.decisions.find((d) => d.host === NAMES.later && d.decision === 'deny');
      assert.equal(denied?.reason, 'not-allowed');
      const allowed = status.decisions.find((d) => d.host === NAMES.allowed && d.decision === 'allow');
      assert.equal(allowed?.address, lab.addr.outside);

      const pid = (await inspect(lab.host, ws.id)).State.Pid;
      const changed = await setEgressAllow(sc.client.api, { workspaceName: sc.workspaceName, allow: [NAMES.later], hostAddresses: [lab.addr.hostUplink] });
      assert.deepEqual(changed.allow, [NAMES.later]);
      assert.notEqual(changed.gateway.id, sc.gateway.id, 'the gateway was re-created');
      const wsNow = await inspect(lab.host, ws.id);
      assert.equal(wsNow.State.Running, true, 'the workspace kept running');
      assert.equal(wsNow.State.Pid, pid, 'the workspace was not restarted');
      const after = await waitFor('the new gateway to answer', async () => {
        const r = await lab.exec(ws.id, viaProxy(`CONNECT ${NAMES.later}:443 HTTP/1.1\\r\\n\\r\\nnew\\n`));
        return /200 Connection Established/.test(r.output) ? r.output : undefined;
      });
      assert.match(after, /echo: new/);
      const old = await lab.exec(ws.id, viaProxy(`CONNECT ${NAMES.allowed}:443 HTTP/1.1\\r\\n\\r\\n`));
      assert.match(old.output, /^HTTP\/1\.1 403 /m, 'the old allowlist is gone');

      // The CLI reads the same, by name: egress, ls and inspect.
      const cli = await runCli(['workspace', 'egress', sc.workspaceName, '--host', lab.host, '--json'], { HOME: lab.dir });
      assert.equal(cli.code, 0, cli.stderr);
      const shown = JSON.parse(cli.stdout) as { allow: string[]; gateway: { running: boolean }; decisions: { host: string; decision: string }[] };
      assert.deepEqual(shown.allow, [NAMES.later]);
      assert.equal(shown.gateway.running, true);
      assert.ok(shown.decisions.some((d) => d.host === NAMES.allowed && d.decision === 'deny'));
      const egressOf = async (): Promise<{ ls: unknown; inspect: unknown; table: string }> => {
        const ls = await runCli(['workspace', 'ls', '--json', '--host', lab.host], { HOME: lab.dir });
        const ins = await runCli(['workspace', 'inspect', sc.workspaceName, '--json', '--host', lab.host], { HOME: lab.dir });
        const table = await runCli(['workspace', 'ls', '--host', lab.host], { HOME: lab.dir });
        assert.equal(ls.code + ins.code + table.code, 0, ls.stderr + ins.stderr + table.stderr);
        const mine = (JSON.parse(ls.stdout) as { name: string; egress?: unknown }[]).find((w) => w.name === sc.workspaceName);
        return { ls: mine?.egress, inspect: (JSON.parse(ins.stdout) as { egress?: unknown }).egress, table: table.stdout.split('\n').find((l) => l.startsWith(sc.workspaceName)) ?? '' };
      };
      const running = { allow: [NAMES.later], ports: [80, 443], network: sc.network.name, gateway: { name: `aicli-egress-${sc.workspaceName}`, state: 'running', running: true } };
      const seen = await egressOf();
      assert.deepEqual(seen.ls, running);
      assert.deepEqual(seen.inspect, running);
      assert.match(seen.table, /\slater\.test \(gateway running\)$/);

      // Fails closed: with the gateway stopped, nothing goes out, by the proxy or around it; ls says so.
      await rawRequest(lab.host, 'POST', `/containers/${changed.gateway.id}/stop?t=1`);
      const since = Date.now();
      const closed = await lab.exec(ws.id, ['sh', '-c', `${viaProxy(`CONNECT ${NAMES.later}:443 HTTP/1.1\\r\\n\\r\\nclosed\\n`)[2] ?? ''}; (printf 'GET /closed HTTP/1.0\\r\\n\\r\\n'; sleep 1) | timeout 4 nc -w 2 ${lab.addr.outside} 80`]);
      assert.doesNotMatch(closed.output, /200 Connection Established|outside-/);
      assert.deepEqual(lab.outsideLog().filter((e) => e.t >= since && e.event !== 'dns'), []);
      const stopped = await egressOf();
      assert.deepEqual((stopped.ls as { gateway: unknown }).gateway, { name: `aicli-egress-${sc.workspaceName}`, state: 'exited', running: false });
      assert.match(stopped.table, /\(gateway exited: nothing gets out\)$/);

      // rm: the workspace, its gateway and its network.
      const rm = await runCli(['workspace', 'rm', sc.workspaceName, '--host', lab.host], { HOME: lab.dir });
      assert.equal(rm.code, 0, rm.stderr);
      assert.equal((await rawRequest(lab.host, 'GET', `/networks/${sc.network.name}`)).status, 404);
      const left = JSON.parse((await rawRequest(lab.host, 'GET', `/containers/json?all=1&filters=${encodeURIComponent(JSON.stringify({ label: [`aicli.workspace.name=${sc.workspaceName}`] }))}`)).body.toString()) as unknown[];
      assert.deepEqual(left, []);
      assert.deepEqual(await removeEgress(sc.client.api, { workspaceName: sc.workspaceName }), { gateway: false, network: false }, 'nothing left to remove');
    });
  });
}
