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

  it('lists every configuration problem at once', () => {
    const e = new errors.InvalidConfigError([
      { source: 'a.yaml', key: 'memory_limit', message: 'too small' },
      { source: 'AICLI_DOCKER_TIMEOUT', key: 'timeout', message: 'not a duration' },
    ]);
    assert.match(e.message, /2 problems/);
    assert.match(e.message, /a\.yaml: memory_limit: too small/);
    assert.match(e.message, /AICLI_DOCKER_TIMEOUT: timeout: not a duration/);
  });

  it('says what to do in a time-out', () => {
    const e = new errors.DockerTimeoutError(target, 'request', 2000);
    assert.match(e.message, /timed out after 2s/);
    assert.match(e.message, /--timeout/);
    assert.equal(e.timeoutMs, 2000);
  });
});
