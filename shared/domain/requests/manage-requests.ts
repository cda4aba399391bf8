/**
 * Until the CDOP use cases are split (branch i14-cdop): what shared/domain/cdop/manage-cases.ts and its tests still
 * import from here. Each request use case has its own module now; this file goes with manage-cases.ts.
 */
export { decideRequest } from './decide-request.ts';
export { releaseShare } from './release-share.ts';
export type { RequestDeps } from './request-deps.ts';
export { newRequestRecord, submissionStep } from './submit-request.ts';
