export * from './health.module';
export * from './readiness.service';
export * from './service-identity';
export * from './tracing';
export * from './metrics';
export * from './metrics.controller';
export * from './log-context';
