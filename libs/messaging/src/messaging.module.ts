import {
  type BeforeApplicationShutdown,
  type DynamicModule,
  Inject,
  Logger,
  Module,
  type OnApplicationBootstrap,
  type Type,
} from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { EVENT_CATALOGUE, preparePayloadValidators, type Topic, TOPICS } from '#libs/contracts';
import type { ServiceName } from '#libs/persistence';
import type { ServiceRuntime } from '#libs/runtime';
import { ReadinessService } from '#libs/telemetry';
import { DataSource } from 'typeorm';
import { ConsumerLagReader } from './consumer-lag.reader';
import type { DeadLetterHandler } from './dead-letter-consumer';
import type { EventHandler } from './handler';
import { InProcessBus } from './in-process-bus';
import { KafkaBus } from './kafka-bus';
import { MessagingEngine } from './messaging-engine';
import { Outbox } from './outbox';
import type { RelayOptions } from './outbox-relay';
import type { RetryPolicy } from './retry-policy';
import { TransactionalOutbox } from './transactional-outbox';
import type { BusTransport } from './transport';

export interface MessagingModuleOptions {
  service: ServiceName;
  runtime: ServiceRuntime;
  /** Handler classes; list them in the service module's providers too, where their dependencies live. */
  handlers: Type<EventHandler>[];
  /** A provider of the service module that observes every service's dead-letter topics. */
  deadLetters?: Type<DeadLetterHandler>;
  retry?: Partial<RetryPolicy>;
  relay?: Partial<RelayOptions>;
}

const OPTIONS = Symbol('MESSAGING_OPTIONS');
const READINESS_TIMEOUT_MS = 3_000;

function withTimeout(check: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`bus did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([check, timeout]).finally(() => clearTimeout(timer));
}

class MessagingHost implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Messaging');
  private engine: MessagingEngine | undefined;
  private ownTransport: BusTransport | undefined;

  constructor(
    @Inject(OPTIONS) private readonly options: MessagingModuleOptions,
    private readonly dataSource: DataSource,
    private readonly readiness: ReadinessService,
    private readonly moduleRef: ModuleRef,
    private readonly lagReader: ConsumerLagReader,
    private readonly outbox: Outbox,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const transport = this.options.runtime.bus ?? this.createOwnTransport();
    const handlers = this.options.handlers.map((type) => this.resolveHandler(type));
    // Before the service reports ready, so that its first event does not pay for the compilation.
    const schemasCompiled = preparePayloadValidators(this.topicsToPrepare(handlers));
    const deadLetters = this.options.deadLetters ? this.resolveHandler(this.options.deadLetters) : undefined;
    this.lagReader.attach(transport);
    this.engine = new MessagingEngine({
      service: this.options.service,
      dataSource: this.dataSource,
      transport,
      handlers,
      deadLetters,
      retry: this.options.retry,
      relay: this.options.relay,
    });
    const engine = this.engine;
    if (this.outbox instanceof TransactionalOutbox) this.outbox.wakeRelayWith(() => engine.wakeRelay());
    this.readiness.register('bus', () => withTimeout(transport.check(), READINESS_TIMEOUT_MS));
    await this.engine.start();
    this.logger.log({
      msg: 'messaging started',
      service: this.options.service,
      transport: transport.kind,
      topics: handlers.map((handler) => handler.topic),
      schemas_compiled: schemasCompiled,
    });
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.engine?.stop();
    await this.ownTransport?.close();
  }

  /**
   * Kafka at KAFKA_BROKERS, unless the process is embedded with neither a shared bus nor brokers (a
   * service tested on its own): then a private in-process bus, delivering to its own handlers only.
   */
  private createOwnTransport(): BusTransport {
    const env = this.options.runtime.env;
    if (env.CONVENE_MODE === 'embedded' && !env.KAFKA_BROKERS) {
      this.logger.warn({ msg: 'no shared bus: events reach only this service', service: this.options.service });
      const bus = new InProcessBus();
      bus.open();
      this.ownTransport = bus;
      return bus;
    }
    const brokers = (env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',').map((broker) => broker.trim());
    this.ownTransport = new KafkaBus({ brokers, clientId: `convene-${this.options.service}` });
    return this.ownTransport;
  }

  /**
   * A consuming service's schemas: those of the topics it consumes and of those it produces. A
   * service that consumes nothing (the gateway) compiles its one schema on its first request
   * instead: 35–45 ms once (quiet machine), against 1–2 MB of idle RSS in a process that sits at its limit.
   */
  private topicsToPrepare(handlers: EventHandler[]): Topic[] {
    if (handlers.length === 0) return [];
    const produced = TOPICS.filter((topic) => EVENT_CATALOGUE[topic].producer === this.options.service);
    return [...new Set([...handlers.map((handler) => handler.topic), ...produced])];
  }

  private resolveHandler<T>(type: Type<T>): T {
    try {
      return this.moduleRef.get(type, { strict: false });
    } catch {
      throw new Error(
        `${type.name} is listed as a handler but is not a provider of the ${this.options.service} module`,
      );
    }
  }
}

/**
 * A service's outbox, relay and inbox. Provides `Outbox` to the whole service, publishes its
 * outbox, subscribes its handlers' topics under `convene-<service>`, and registers the `bus`
 * readiness check. The transport is `runtime.bus` when the host shares one (the embedded process),
 * otherwise Kafka at KAFKA_BROKERS in distributed mode. Provides `ConsumerLagReader` on that
 * transport, and observes the dead-letter topics when `deadLetters` is given. Stops consuming, lets running handlers
 * finish and flushes the relay before the database closes.
 */
@Module({})
export class MessagingModule {
  static forService(options: MessagingModuleOptions): DynamicModule {
    return {
      module: MessagingModule,
      global: true,
      providers: [
        { provide: OPTIONS, useValue: options },
        { provide: Outbox, useValue: new TransactionalOutbox(options.service) },
        { provide: ConsumerLagReader, useValue: new ConsumerLagReader() },
        MessagingHost,
      ],
      exports: [Outbox, ConsumerLagReader],
    };
  }
}
