// Settings that break a workspace's isolation are refused before anything is created,
// naming the setting, where it was set and how to allow it; the CLI exits 2.
import assert from 'node:assert/strict';
import { mkdtemp, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../support/cli.js';
import { execIn } from '../support/exec.js';
import { ensureBusyboxImage, engineSkip, loadTestEngines, rawRequest } from '../support/engines.js';
import { rawInspect, removeTestObjects, unique, workspaceEngines } from '../support/workspaces.js';

const skip = engineSkip();

interface Case {
  readonly what: string;
  readonly args?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  readonly file?: string;
  /** Each refusal: the source and setting named, and the rule that lifts it. */
  readonly says: readonly { source: string; setting: string; rule: string; detail?: RegExp }[];
}

const engines = skip === false ? workspaceEngines(loadTestEngines().engines.filter((e) => e.name === 'docker26' || e.name === 'podman')) : [];

for (const engine of engines) describe(`workspace policy on ${engine.name}: refused settings create nothing`, () => {
  const network = unique('aicli-wsp');
  const names: string[] = [];
  let dir: string;
  let host: string;
  let socket: string;
  let env: Record<string, string>;

  before(async () => {
    host = engine.host;
    socket = host.slice('unix://'.length);
    await ensureBusyboxImage(host);
    dir = await mkdtemp(join(tmpdir(), 'aicli-wsp-'));
    await symlink('/etc', join(dir, 'etc-link'));
    await symlink('/var/run', join(dir, 'run-link'));
    await writeFile(join(dir, 'privileged.yaml'), 'privileged: true\n');
    env = { HOME: dir, DOCKER_HOST: host, AICLI_DOCKER_NETWORK_NAME: network, AICLI_DOCKER_DEFAULT_IMAGE: 'aicli-test-busybox:latest' };
  });
  after(async () => {
    await removeTestObjects(host, network, names);
    await rm(dir, { recursive: true, force: true });
  });

  it('each refused setting exits 2, names its source and how to allow it, and the engine holds nothing new', async () => {
    const cases: Case[] = [
      { what: 'privileged in a file', file: 'privileged.yaml', says: [{ source: 'privileged.yaml', setting: 'privileged', rule: 'privileged' }] },
      { what: 'privileged in the environment', env: { AICLI_DOCKER_PRIVILEGED: 'true' }, says: [{ source: 'AICLI_DOCKER_PRIVILEGED', setting: 'privileged', rule: 'privileged' }] },
      { what: 'SYS_ADMIN from the environment', env: { AICLI_DOCKER_CAP_ADD: 'sys_admin' }, says: [{ source: 'AICLI_DOCKER_CAP_ADD', setting: 'cap_add', rule: 'capability', detail: /SYS_ADMIN/ }] },
      { what: 'ALL by flag', args: ['--cap-add', 'ALL'], says: [{ source: '--cap-add', setting: 'cap_add', rule: 'capability', detail: /capability ALL/ }] },
      { what: 'host network', args: ['--network', 'host'], says: [{ source: '--network', setting: 'network_name', rule: 'host-namespace', detail: /network namespace/ }] },
      { what: 'host PID', args: ['--pid', 'host'], says: [{ source: '--pid', setting: 'pid', rule: 'host-namespace', detail: /PID namespace/ }] },
      { what: 'host IPC', args: ['--ipc', 'host'], says: [{ source: '--ipc', setting: 'ipc', rule: 'host-namespace', detail: /IPC namespace/ }] },
      { what: 'host UTS', args: ['--uts', 'host'], says: [{ source: '--uts', setting: 'uts', rule: 'host-namespace', detail: /UTS namespace/ }] },
      { what: 'host user namespace', args: ['--userns', 'host'], says: [{ source: '--userns', setting: 'userns', rule: 'host-namespace', detail: /user namespace/ }] },
      {
        what: 'the root as the project',
        args: ['--project', '/'],
        says: [
          { source: '--project', setting: 'project', rule: 'host-path', detail: /host's root/ },
          { source: '--project', setting: 'project', rule: 'engine-socket', detail: /holds the engine's socket/ },
        ],
      },
      { what: '/etc through a link', args: ['--project', join(dir, 'etc-link')], says: [{ source: '--project', setting: 'project', rule: 'host-path', detail: /etc-link \(which resolves to \/etc\)/ }] },
      { what: '/proc', args: ['--mount', '/proc:/hostproc:ro'], says: [{ source: '--mount', setting: 'mounts[0]', rule: 'host-path', detail: /\/proc/ }] },
      { what: '/sys', args: ['--mount', '/sys:/s'], says: [{ source: '--mount', setting: 'mounts[0]', rule: 'host-path' }] },
      { what: '/dev', args: ['--mount', '/dev:/d'], says: [{ source: '--mount', setting: 'mounts[0]', rule: 'host-path' }] },
      { what: '/boot', args: ['--mount', '/boot:/b'], says: [{ source: '--mount', setting: 'mounts[0]', rule: 'host-path' }] },
      { what: '/var/run through a link', args: ['--mount', `${join(dir, 'run-link')}:/r`], says: [{ source: '--mount', setting: 'mounts[0]', rule: 'host-path', detail: /run-link \(which resolves to \/run\)/ }] },
      { what: "the engine's socket", args: ['--mount', `${socket}:/var/run/docker.sock`], says: [{ source: '--mount', setting: 'mounts[0]', rule: 'engine-socket', detail: /engine's socket/ }] },
      {
        what: 'seccomp off, no-new-privileges gone',
        env: { AICLI_DOCKER_SECURITY_OPTS: 'seccomp=unconfined' },
        says: [
          { source: 'AICLI_DOCKER_SECURITY_OPTS', setting: 'security_opts', rule: 'security-opt', detail: /seccomp/ },
          { source: 'AICLI_DOCKER_SECURITY_OPTS', setting: 'security_opts', rule: 'security-opt', detail: /no-new-privileges is not set/ },
        ],
      },
    ];
    // The suite runs on two Node.js versions side by side, on the same engines: containers the
    // other run makes meanwhile are not this test's. Whatever a refused create made would carry
    // its workspace's name or sit on its network; the network would be the one it names.
    const ours = async (): Promise<string[]> => {
      const all = JSON.parse((await rawRequest(host, 'GET', '/containers/json?all=1')).body.toString()) as { Id: string; Labels?: Record<string, string> | null; HostConfig?: { NetworkMode?: string } }[];
      return all.filter((c) => names.includes(c.Labels?.['aicli.workspace.name'] ?? '') || c.HostConfig?.NetworkMode === network).map((c) => c.Id);
    };
    for (const c of cases) {
      const name = unique('pol');
      names.push(name);
      const args = ['workspace', 'create', name, '--label', 'aicli.test=true', ...(c.args ?? []), ...(c.file === undefined ? [] : ['--config', join(dir, c.file)])];
      const r = await runCli(args, { ...env, ...c.env });
      assert.equal(r.code, 2, `${c.what}: exit ${r.code}\n${r.stderr}`);
      assert.match(r.stderr, /Refused: .*nothing was created/, c.what);
      const lines = r.stderr.split('\n').filter((l) => l.startsWith('  - '));
      assert.equal(lines.length, c.says.length, `${c.what}: ${r.stderr}`);
      for (const s of c.says) {
        const line = lines.find((l) => l.includes(`${s.source}: ${s.setting}: `) && (s.detail === undefined || s.detail.test(l)));
        assert.ok(line !== undefined, `${c.what}: no line naming ${s.source} and ${s.setting}:\n${r.stderr}`);
        assert.ok(line.includes(`allow_unsafe: [${s.rule}]`) && line.includes(`--allow-unsafe ${s.rule}`), `${c.what}: says how to allow ${s.rule}: ${line}`);
      }
    }
    const jsonName = unique('pol');
    names.push(jsonName);
    const json = await runCli(['workspace', 'create', jsonName, '--pid', 'host', '--json'], env);
    assert.equal(json.code, 2);
    assert.equal((JSON.parse(json.stdout) as { error: { code: string } }).error.code, 'POLICY_VIOLATION');
    assert.deepEqual(await ours(), [], 'no container was created');
    assert.equal((await rawRequest(host, 'GET', `/networks/${network}`)).status, 404, 'no network was created');
  });

  it('a rule lifted on purpose lets the setting through', async () => {
    const name = unique('lifted');
    names.push(name);
    const r = await runCli(['workspace', 'create', name, '--label', 'aicli.test=true', '--ipc', 'host', '--allow-unsafe', 'host-namespace', '--start', '--json'], env);
    assert.equal(r.code, 0, r.stderr);
    const id = (JSON.parse(r.stdout) as { id: string }).id;
    // Podman reports every IpcMode as "shareable"; from inside, the namespace is the host's on both.
    if (engine.name !== 'podman') assert.equal((await rawInspect(host, id)).HostConfig.IpcMode, 'host');
    assert.equal((await execIn(host, id, ['readlink', '/proc/self/ns/ipc'])).output.trim(), await readlink('/proc/self/ns/ipc'));
    // Lifting one rule lifts only that one.
    const other = await runCli(['workspace', 'create', unique('lifted'), '--ipc', 'host', '--cap-add', 'SYS_ADMIN', '--allow-unsafe', 'host-namespace'], env);
    assert.equal(other.code, 2);
    assert.match(other.stderr, /--cap-add: cap_add: capability SYS_ADMIN/);
    assert.doesNotMatch(other.stderr, /IPC namespace/);
  });
});
