import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { Alert, AlertStatus, Severity } from '#libs/contracts';

/** The gateway's record of one alert: the latest accepted revision and how often it was delivered. */
@Entity({ name: 'received_alerts' })
export class ReceivedAlert {
  @PrimaryColumn({ type: 'text' })
  alert_id!: string;

  /** The highest severity seen while firing; a lower one never downgrades it. */
  @Column({ type: 'text' })
  severity!: Severity;

  @Column({ type: 'text' })
  status!: AlertStatus;

  @Column({ type: 'integer' })
  revision!: number;

  /** The validated body of the latest accepted revision. */
  @Column({ type: 'jsonb' })
  body!: Alert;

  /** SHA-256 of the canonical JSON of `body`: equal hashes mean an identical re-delivery. */
  @Column({ type: 'text' })
  content_hash!: string;

  @Column({ type: 'text' })
  trace_id!: string;

  @Column({ type: 'integer' })
  deliveries!: number;

  @Column({ type: 'timestamptz' })
  first_received_at!: Date;

  @Column({ type: 'timestamptz' })
  revised_at!: Date;

  @Column({ type: 'timestamptz' })
  last_received_at!: Date;
}
