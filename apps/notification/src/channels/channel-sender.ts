import type { Delivery } from '../deliveries/delivery.entity';

/** What a channel reports after the receiving side accepted a message. */
export interface SendReceipt {
  providerMessageId: string | null;
}

/**
 * Sends one delivery over one channel. Throws DeliveryFailure when the receiving side refused or
 * could not be reached; anything else it throws counts as transient.
 */
export interface ChannelSender {
  send(delivery: Delivery): Promise<SendReceipt>;
}
