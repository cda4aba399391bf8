import { standingChangeHandler } from '#shared/http/agreements.ts';
import { operations } from '#shared/http/operations.ts';

export const handler = standingChangeHandler(operations.SuspendAgreement, 'suspend');
