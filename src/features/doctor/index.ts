/** `doctor`: read-only checks of what workspaces need, each with its fix. */
export { runDoctor, type DoctorReport } from './doctor.js';
export { DOCTOR_DEFAULTS, type CheckStatus, type DoctorCheck } from './checks.js';
