import { standingChangeHandler } from '#shared/http/agreements.ts';

export const handler = standingChangeHandler('suspend');
