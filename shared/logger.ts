import { Logger } from '@aws-lambda-powertools/logger';

/**
 * The one structured logger. It logs what happened (codes, ids of principals, counts, timings), never bodies,
 * tokens, keys, subject references or other personal data.
 */
export const logger = new Logger({ serviceName: 'pbx' });
