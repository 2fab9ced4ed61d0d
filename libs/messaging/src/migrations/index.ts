import { CreateMessagingTables1764500000000 } from './1764500000000-create-messaging-tables';

/** Migrations every service lists with its own (oldest first): outbox, inbox, dead letters. */
export const MESSAGING_MIGRATIONS = [CreateMessagingTables1764500000000];
