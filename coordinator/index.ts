/** coordinator/: plan, dispatch, run state, resume, verification and reports. */
export * from './plan.js';
export * from './plan-warnings.js';
export * from './preflight.js';
export * from './report.js';
export * from './run.js';
export * from './run-state.js';
export * from './verify.js';
export * from './profile/index.js';
export * from './audit/index.js';
export * from './rollback/index.js';
export * from './reports/index.js';
