import { ReceivedAlert } from './received-alert.entity';
import { ReplayNonce } from './replay-nonce.entity';

export { ReceivedAlert, ReplayNonce };

/** The gateway's TypeORM entities. */
export const GATEWAY_ENTITIES = [ReceivedAlert, ReplayNonce];
