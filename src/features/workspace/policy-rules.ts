/**
 * The isolation rules a workspace is held to, by the name `allow_unsafe` lifts them with.
 * No imports: the configuration schema reads this list.
 */
export const POLICY_RULES = Object.freeze({
  /** HostConfig.Privileged. */
  privileged: 'every capability, every host device, no seccomp or AppArmor',
  /** A bind mount of /, /etc, /proc, /sys, /dev, /boot, /run, /var/run, /usr, /lib... */
  'host-path': 'a bind mount of a sensitive host folder',
  /** A bind mount of the engine's socket, or of a folder that holds it. */
  'engine-socket': "a mount of the engine's socket",
  /** Host network, PID, IPC, UTS or user namespace. */
  'host-namespace': "one of the host's namespaces (network, PID, IPC, UTS, user)",
  /** SYS_ADMIN, ALL and the like in cap_add. */
  capability: 'a capability that reaches the host (SYS_ADMIN, ALL, ...)',
  /** seccomp/AppArmor/SELinux off, no-new-privileges off, writable cgroups, unmasked /proc. */
  'security-opt': 'a security option that turns a protection off',
  /** Host devices, another cgroup parent, the engine's default bridge. */
  'host-resource': 'host devices, a custom cgroup parent or the default bridge network',
});

export type PolicyRule = keyof typeof POLICY_RULES;

export const POLICY_RULE_NAMES: readonly PolicyRule[] = Object.freeze(Object.keys(POLICY_RULES) as PolicyRule[]);
