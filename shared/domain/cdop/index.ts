export * from './case.ts';
export * from './fan-out.ts';
export * from './notification.ts';
export * from './tracking.ts';
