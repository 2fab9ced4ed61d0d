import { DeadLetterEntity } from './dead-letter.entity';
import { InboxMessageEntity } from './inbox-message.entity';
import { OutboxMessageEntity } from './outbox-message.entity';

/** Entities every service lists with its own: outbox, inbox, dead letters. */
export const MESSAGING_ENTITIES = [OutboxMessageEntity, InboxMessageEntity, DeadLetterEntity];
