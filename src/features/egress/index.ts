/** Egress allowlist per workspace (issue 12): a gateway the product provisions, and nothing else. */
export {
  prepareEgress,
  removeEgress,
  egressStatus,
  setEgressAllow,
  applyEgress,
  egressPatch,
  proxyEnv,
  checkEgressInput,
  DEFAULT_EGRESS_PORTS,
  type EgressPatch,
  type EgressPrepared,
  type EgressStatus,
  type PrepareEgressOptions,
  type RemoveEgressOptions,
} from './egress.js';
export { ensureGatewayImage, defaultProxyBundle, GATEWAY_REPOSITORY, GATEWAY_NODE_FLAGS, type GatewayImage, type GatewayImageOptions } from './image.js';
export { checkEgressSupport, egressDoctorCheck, type EgressCheck, type EgressCheckItem, type EgressCheckOptions } from './doctor.js';
export { GATEWAY_LIMITS, gatewayName, gatewaySpec } from './gateway.js';
export { workspaceNetworkName, INHIBIT_IPV4 } from './network.js';
export type { Decision } from './decisions.js';
export { GATEWAY_ALIAS, GATEWAY_PORT } from '../../egress-proxy/contract.js';
export {
  workspaceEgress,
  listGateways,
  egressInfo,
  awaitGateway,
  gatewayRunning,
  GATEWAY_WAIT_MS,
  type WorkspaceEgress,
  type WorkspaceEgressOptions,
  type WorkspaceEgressInfo,
} from './workspace.js';
export { egressOrphanReason } from './orphans.js';
