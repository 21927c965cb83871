import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidConfigError, UnsupportedEndpointError } from '../../src/errors.js';
import { parseHost } from '../../src/transport/endpoint.js';

describe('parseHost', () => {
  it('reads the forms the docker CLI accepts', () => {
    assert.deepEqual(parseHost('unix:///var/run/docker.sock'), { kind: 'unix', url: 'unix:///var/run/docker.sock', socketPath: '/var/run/docker.sock' });
    assert.deepEqual(parseHost('tcp://10.0.0.5'), { kind: 'tcp', url: 'tcp://10.0.0.5:2375', hostname: '10.0.0.5', port: 2375, tls: false });
    assert.deepEqual(parseHost('tcp://10.0.0.5', { tls: true }), { kind: 'tcp', url: 'tcp://10.0.0.5:2376', hostname: '10.0.0.5', port: 2376, tls: true });
    assert.deepEqual(parseHost('https://engine.local:9999'), { kind: 'tcp', url: 'tcp://engine.local:9999', hostname: 'engine.local', port: 9999, tls: true });
    assert.deepEqual(parseHost('tcp://[::1]:2375'), { kind: 'tcp', url: 'tcp://[::1]:2375', hostname: '::1', port: 2375, tls: false });
    assert.equal(parseHost('  tcp://h:1  ').url, 'tcp://h:1');
  });

  it('refuses npipe on Linux, saying it is Windows only', () => {
    assert.throws(() => parseHost('npipe:////./pipe/docker_engine', { platform: 'linux' }), (e: unknown) => e instanceof UnsupportedEndpointError && /Windows only/.test(e.message));
  });

  it('reads ssh:// as the docker CLI does, user and port optional', () => {
    assert.deepEqual(parseHost('ssh://me@box:2222'), { kind: 'ssh', url: 'ssh://me@box:2222', user: 'me', hostname: 'box', port: 2222 });
    assert.deepEqual(parseHost('ssh://box'), { kind: 'ssh', url: 'ssh://box', user: undefined, hostname: 'box', port: undefined });
  });

  const bad: [string, RegExp][] = [
    ['', /is empty/],
    ['/var/run/docker.sock', /did you mean "unix:\/\/\/var\/run\/docker.sock"/],
    ['localhost:2375', /has no scheme/],
    ['unix://relative.sock', /absolute socket path/],
    ['tcp://', /no host name|not a valid address/],
    ['tcp://h:99999', /not a valid address/],
    ['tcp://user:pw@h:1', /credentials/],
    ['tcp://h:1/base', /has a path/],
    ['gopher://h', /unknown scheme "gopher:\/\/"/],
    ['ssh://me:pw@box', /must not hold a password/],
    ['ssh://box/var/run/docker.sock', /has a path/],
  ];
  for (const [host, re] of bad) {
    it(`rejects ${JSON.stringify(host)} naming the host and the fix`, () => {
      assert.throws(
        () => parseHost(host, { source: '--host' }),
        (e: unknown) => e instanceof InvalidConfigError && e.problems[0]?.source === '--host' && e.problems[0].key === 'host' && re.test(e.message),
      );
    });
  }
  it('never puts any part of a password into the message, even one holding an @, whatever the scheme', () => {
    for (const host of ['tcp://user:Zq@Xv9@h:1', 'ssh://user:Zq@Xv9@h', 'ftp://user:Zq@Xv9@h', 'user:Zq@Xv9@h:2375', 'tcp://user:Zq@Xv9@h:1/path?x=@y']) {
      assert.throws(
        () => parseHost(host, { source: 'DOCKER_HOST' }),
        (e: unknown) => e instanceof InvalidConfigError && !/Zq|Xv9/.test(e.message) && e.message.includes('***@h'),
        host,
      );
    }
  });
  it('never puts credentials it refused into the message', () => {
    assert.throws(() => parseHost('tcp://user:s3cret@h:1'), (e: unknown) => e instanceof InvalidConfigError && !e.message.includes('s3cret') && e.message.includes('***@'));
    assert.throws(() => parseHost('ssh://user:s3cret@h'), (e: unknown) => e instanceof InvalidConfigError && !e.message.includes('s3cret'));
  });
});
