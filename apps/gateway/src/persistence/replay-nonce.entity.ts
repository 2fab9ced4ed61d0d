import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** A signed delivery already processed, kept until its timestamp leaves the acceptance window. */
@Entity({ name: 'replay_nonces' })
export class ReplayNonce {
  @PrimaryColumn({ type: 'text' })
  signature!: string;

  @Index('replay_nonces_expires_at_idx')
  @Column({ type: 'timestamptz' })
  expires_at!: Date;

  @Column({ type: 'timestamptz' })
  received_at!: Date;
}
