/** A Slotify call that did not succeed; `retriable` tells network errors, timeouts and 5xx from 4xx. */
export class SlotifyException extends Error {
  constructor(
    readonly code:
      'SLOTIFY.TIMEOUT' | 'SLOTIFY.NETWORK' | 'SLOTIFY.SERVER_ERROR' | 'SLOTIFY.REJECTED' | 'SLOTIFY.BAD_RESPONSE',
    readonly retriable: boolean,
    message: string,
    readonly status: number | null = null,
  ) {
    super(message);
    this.name = 'SlotifyException';
  }
}
