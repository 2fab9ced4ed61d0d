import type { AlertAnalyzedV1, AlertChange, UrgencyLevel } from '#libs/contracts';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

const numeric = {
  to: (value: number) => value,
  from: (value: string | null) => (value === null ? null : Number(value)),
};

/** One analysis of one revision of an alert: the event that was published, and the columns to query it by. */
@Entity({ name: 'analyses' })
export class AnalysisEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'text' })
  alert_id!: string;

  @Column({ type: 'integer' })
  revision!: number;

  @Column({ type: 'text' })
  change!: AlertChange;

  /** The alert.received event this analysis answered. */
  @Column({ type: 'uuid', nullable: true })
  source_event_id!: string | null;

  @Column({ type: 'text' })
  alert_type!: string;

  @Column({ type: 'text' })
  severity!: string;

  @Column({ type: 'boolean' })
  known_type!: boolean;

  @Column({ type: 'text' })
  urgency_level!: UrgencyLevel;

  @Column({ type: 'numeric', precision: 4, scale: 2, transformer: numeric })
  urgency_score!: number;

  @Column({ type: 'boolean' })
  books_meeting!: boolean;

  @Column({ type: 'jsonb' })
  payload!: AlertAnalyzedV1;

  @Column({ type: 'timestamptz' })
  analyzed_at!: Date;

  @CreateDateColumn({ type: 'timestamptz' })
  created_at!: Date;
}
