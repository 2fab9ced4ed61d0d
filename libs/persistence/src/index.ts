export * from './database.module';
export * from './embedded-postgres';
export * from './service-data-source';
export * from './group-commit';
