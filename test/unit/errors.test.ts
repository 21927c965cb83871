import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as errors from '../../src/errors.js';

const target = { method: 'GET', path: '/networks/x', endpoint: 'unix:///s' };

describe('error hierarchy', () => {
  it('gives each class a stable code and keeps the chain', () => {
    const e = new errors.NetworkNotFoundError(target, 'network x not found');
    assert.equal(e.code, 'NETWORK_NOT_FOUND');
    assert.ok(e instanceof errors.DockerNotFoundError && e instanceof errors.DockerApiError && e instanceof errors.DockerError && e instanceof Error);
    assert.ok(!(e instanceof errors.ImageNotFoundError));
    assert.equal(e.statusCode, 404);
    assert.equal(e.daemonMessage, 'network x not found');
    assert.match(e.message, /GET \/networks\/x on unix:\/\/\/s failed with HTTP 404: network x not found/);
    assert.ok(errors.isDockerError(e, 'DOCKER_NOT_FOUND') && errors.isDockerError(e, 'DOCKER_API_ERROR') && !errors.isDockerError(e, 'DOCKER_CONFLICT'));
  });

  it('keeps the cause', () => {
    const cause = new Error('socket hang up');
    const e = new errors.DockerConnectionLostError(target, 'closed', { cause });
    assert.equal(e.cause, cause);
  });

  it('recognises errors thrown by another copy of the module, without message matching', async () => {
    const other = (await import(`../../src/errors.js?copy=${Date.now()}`)) as typeof errors;
    assert.notEqual(other.DockerError, errors.DockerError, 'the test needs two distinct module copies');
    const foreign = new other.ImageNotFoundError(target, 'no such image');
    assert.ok(foreign instanceof errors.ImageNotFoundError);
    assert.ok(foreign instanceof errors.DockerApiError);
    assert.ok(!(foreign instanceof errors.ContainerNotFoundError));
    assert.ok(errors.isDockerError(foreign, 'IMAGE_NOT_FOUND'));
    assert.ok(!errors.isDockerError(new Error('docker container failed')), 'words in a message do not make a Docker error');
  });

  it('lists every configuration problem at once, naming each key once', () => {
    const e = new errors.InvalidConfigError([
      { source: 'a.yaml', key: 'memory_limit', message: 'too small' },
      { source: 'AICLI_DOCKER_TIMEOUT', key: 'timeout', message: 'not a duration' },
      { source: '--timeout', key: 'timeout', message: '"soon" is not a duration' },
      { source: 'AICLI_DOCKER_TMPFS', key: 'tmpfs./tmp', message: 'bad size' },
    ]);
    assert.equal(
      e.message,
      'Invalid configuration (4 problems):\n' +
        '  - a.yaml: memory_limit: too small\n' +
        '  - AICLI_DOCKER_TIMEOUT: not a duration\n' +
        '  - --timeout: "soon" is not a duration\n' +
        '  - AICLI_DOCKER_TMPFS: tmpfs./tmp: bad size',
    );
  });

  it('says in one sentence how long was waited, what set the limit, and what to change', () => {
    const byDefault = new errors.DockerTimeoutError(target, 'request', 2000);
    assert.equal(
      byDefault.message,
      "The Docker engine at unix:///s did not answer GET /networks/x within 2s (aicli-docker's default time-out). " +
        'Check that the engine is running and responsive (`docker info`), or set a longer time-out (--timeout, AICLI_DOCKER_TIMEOUT, `timeout` in the configuration file, or the timeoutMs option).',
    );
    assert.equal(byDefault.timeoutMs, 2000);
    const byFlag = new errors.DockerTimeoutError(target, 'ping', 10_000, { setBy: '--timeout' });
    assert.match(byFlag.message, /did not answer GET \/networks\/x within 10s \(set by --timeout\)\. .*, or raise --timeout\.$/);
    const firstPing = new errors.DockerTimeoutError(target, 'ping', 5000);
    assert.match(firstPing.message, /within 5s \(aicli-docker's limit for the first ping, which a time-out you set replaces\)/);
    const connect = new errors.DockerTimeoutError(target, 'connect', 700, { setBy: '`timeout` in /home/me/docker.yaml' });
    assert.match(connect.message, /^Connecting to the Docker engine at unix:\/\/\/s for GET \/networks\/x took longer than 700ms \(set by `timeout` in \/home\/me\/docker\.yaml\)\. .*or raise `timeout` in \/home\/me\/docker\.yaml\.$/);
  });

  it("ends the engine's words with a period before the hint, and says when it gave none", () => {
    assert.equal(new errors.NetworkNotFoundError(target, 'network x not found').message, 'GET /networks/x on unix:///s failed with HTTP 404: network x not found. Check the network name, or let aicli create it.');
    assert.equal(new errors.DockerNotFoundError(target, '').message, 'GET /networks/x on unix:///s failed with HTTP 404 with no message. Check the name or id.');
    assert.equal(new errors.DockerApiError(target, 400, 'bad parameter.\n').message, 'GET /networks/x on unix:///s failed with HTTP 400: bad parameter.');
  });
});
