import type { ConveneEnv } from '#libs/config';

/**
 * What a service module needs from the process that hosts it. The same module runs alone in
 * distributed mode or beside the other four in the embedded process; only this object differs.
 */
export interface ServiceRuntime {
  env: ConveneEnv;
  /** Connection string for this service's database role (embedded: the local superuser). */
  databaseUrl: string;
  version: string;
}
