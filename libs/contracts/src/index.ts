export * from './alert';
export * from './analysis';
export * from './meeting';
export * from './events';
export * from './asyncapi';
export * from './examples';
export * from './payload-validator';
export type { JsonSchema } from './schemas/common.schema';
export * from './schemas/payload.schema';
