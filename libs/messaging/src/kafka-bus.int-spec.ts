import { describeBusContract } from '../../../test/support/messaging-contract';
import { KafkaBus } from './kafka-bus';

const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');

describeBusContract({
  name: 'kafka',
  create: (namespace) => new KafkaBus({ brokers, clientId: 'convene-contract-test', namespace, partitions: 3 }),
});
