export * from './boot';
export * from './service-process';
export * from './service-runtime';
