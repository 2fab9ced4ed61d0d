import { MESSAGING_ENTITIES, MESSAGING_MIGRATIONS } from '#libs/messaging';
import type { ServiceDataSourceOptions } from '#libs/persistence';
import { BusyBlockEntity } from './calendar/busy-block.entity';
import { MeetingAlertEntity } from './meetings/meeting-alert.entity';
import { MeetingEntity } from './meetings/meeting.entity';
import { SCHEDULING_MIGRATIONS } from './migrations';

export const SCHEDULING_ENTITIES = [MeetingEntity, MeetingAlertEntity, BusyBlockEntity];

/** The scheduling schema: its tables (entities) and how they came to be (migrations), used by the module and `main.js migrate`. */
export const SCHEDULING_DATABASE: Omit<ServiceDataSourceOptions, 'url'> = {
  service: 'scheduling',
  entities: [...MESSAGING_ENTITIES, ...SCHEDULING_ENTITIES],
  migrations: [...MESSAGING_MIGRATIONS, ...SCHEDULING_MIGRATIONS],
};
