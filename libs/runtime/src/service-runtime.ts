import type { ConveneEnv } from '#libs/config';
import type { BusTransport } from '#libs/messaging';

/**
 * What a service module needs from the process that hosts it. The same module runs alone in
 * distributed mode or beside the other four in the embedded process; only this object differs.
 */
export interface ServiceRuntime {
  env: ConveneEnv;
  /** Connection string for this service's database role (embedded: the local superuser). */
  databaseUrl: string;
  version: string;
  /**
   * The bus shared by every service of the process (embedded mode: one InProcessBus). Absent in
   * distributed mode, where each service's MessagingModule connects to Kafka at KAFKA_BROKERS.
   */
  bus?: BusTransport;
}
