import { Injectable } from '@nestjs/common';
import type { NotificationChannel } from '#libs/contracts';
import type { ChannelSender } from './channel-sender';
import { ChainSyncSender } from './chainsync/chainsync.sender';
import { EmailSender } from './email/email.sender';
import { SlackSender } from './slack/slack.sender';

/** Picks the sender of a channel. */
@Injectable()
export class ChannelRouter {
  constructor(
    private readonly email: EmailSender,
    private readonly slack: SlackSender,
    private readonly chainsync: ChainSyncSender,
  ) {}

  senderFor(channel: NotificationChannel): ChannelSender {
    switch (channel) {
      case 'email':
        return this.email;
      case 'slack':
        return this.slack;
      case 'chainsync':
        return this.chainsync;
    }
  }
}
