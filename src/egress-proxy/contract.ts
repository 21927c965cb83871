/**
 * What the library and the gateway agree on: the environment the gateway reads, its
 * port, and the name the workspace finds it by. Changing any of these changes the
 * gateway image's identity (see features/egress/image.ts).
 */
export const GATEWAY_ENV = Object.freeze({
  /** Comma-separated allowlist entries, already checked. */
  allow: 'AICLI_EGRESS_ALLOW',
  /** Comma-separated ports. */
  ports: 'AICLI_EGRESS_PORTS',
  /** Comma-separated CIDRs of the engine host and the workspace side, refused besides the fixed ranges. */
  deny: 'AICLI_EGRESS_DENY',
  /** The workspace's name, for refusal texts. */
  workspace: 'AICLI_EGRESS_WORKSPACE',
  /** The workspace network's subnet: the gateway listens only on its address there. */
  subnet: 'AICLI_EGRESS_SUBNET',
});

/** The proxy port (squid's, which proxy-aware tools expect least surprise from). */
export const GATEWAY_PORT = 3128;

/** The gateway's alias on the workspace network: a re-created gateway takes it over. */
export const GATEWAY_ALIAS = 'aicli-egress';
