import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** A time one person cannot meet, half-open [start, end); meetings Convene books add their own. */
@Entity({ name: 'busy_blocks' })
export class BusyBlockEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Column({ type: 'text' })
  email!: string;

  @Column({ type: 'timestamptz', name: 'start_at' })
  startAt!: Date;

  @Column({ type: 'timestamptz', name: 'end_at' })
  endAt!: Date;

  /** The Convene meeting that made this block, or null for blocks entered from elsewhere. */
  @Column({ type: 'text', nullable: true, name: 'meeting_id' })
  meetingId!: string | null;
}
