export * from './errors';
export * from './event';
export * from './handler';
export * from './outbox';
