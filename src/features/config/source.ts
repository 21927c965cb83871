/** Where a configuration value came from (its own module: the loader and the checks it calls both name it). */
export interface ValueSource {
  readonly layer: 'default' | 'file' | 'env' | 'flag';
  /** `default`, the file path, the environment variable (`AICLI_DOCKER_TIMEOUT`), or the flag (`--timeout`). */
  readonly name: string;
}
