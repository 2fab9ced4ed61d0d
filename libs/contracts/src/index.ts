export * from './alert';
export * from './analysis';
export * from './meeting';
export * from './events';
