import { describeBusContract } from '../../../test/support/messaging-contract';
import { InProcessBus } from './in-process-bus';
import type { BusTransport } from './transport';

describeBusContract({
  name: 'in-process',
  create: () => new InProcessBus(),
  open: (bus: BusTransport) => (bus as InProcessBus).open(),
});
