export * from './boot';
export * from './service-process';
export * from './service-runtime';
export * from './convene-logger';
export * from './pretty-log-stream';
