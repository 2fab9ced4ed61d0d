import type { AgentName, AnalysisSource } from '#libs/contracts';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** One agent's part of an analysis: which engine wrote it, what it cost, and why a template stood in. */
@Entity({ name: 'llm_calls' })
export class LlmCallEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'uuid' })
  analysis_id!: string;

  @Column({ type: 'text' })
  alert_id!: string;

  @Column({ type: 'text' })
  agent!: AgentName;

  @Column({ type: 'text' })
  source!: AnalysisSource;

  @Column({ type: 'text', nullable: true })
  model!: string | null;

  @Column({ type: 'integer' })
  input_tokens!: number;

  @Column({ type: 'integer' })
  output_tokens!: number;

  @Column({ type: 'integer' })
  latency_ms!: number;

  @Column({ type: 'text', nullable: true })
  fallback_reason!: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  created_at!: Date;
}
