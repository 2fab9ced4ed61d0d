// Imported first by main.ts: tracing must be running before http, pg or kafkajs are loaded.
import { conveneVersion } from '#libs/config';
import { startProcessTracing } from '#libs/telemetry';

startProcessTracing('convene-gateway', conveneVersion());
