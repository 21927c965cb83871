// Its own module so that the checks load.ts runs can name it without importing load.ts back.

/** Where a value came from: the layer, and the file path, variable or flag within it. */
export interface ValueSource {
  readonly layer: 'default' | 'file' | 'env' | 'flag';
  /** `default`, the file path, the environment variable (`AICLI_DOCKER_TIMEOUT`), or the flag (`--timeout`). */
  readonly name: string;
}
