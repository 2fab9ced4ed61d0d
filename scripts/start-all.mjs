#!/usr/bin/env node
// Starts the five services as separate processes against the local infrastructure from
// `npm run infra:up` (Kafka, PostgreSQL with a role and schema per service, Jaeger). Each
// service logs to .cache/start-all/logs/<service>.log; Ctrl-C stops them all.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const stateDir = join(root, '.cache', 'start-all');
const logDir = join(stateDir, 'logs');
mkdirSync(logDir, { recursive: true });

const SERVICES = [
  ['gateway', 8000],
  ['analysis', 8001],
  ['scheduling', 8002],
  ['notification', 8003],
  ['audit', 8004],
];

function readEnvFile(file) {
  if (!existsSync(file)) return {};
  return Object.fromEntries(
    readFileSync(file, 'utf8')
      .split('\n')
      .filter((line) => line.includes('='))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
}

function developmentKeys() {
  const file = join(stateDir, 'keys.env');
  if (!existsSync(file)) {
    const key = `dev_${randomBytes(16).toString('hex')}`;
    const secret = randomBytes(32).toString('hex');
    writeFileSync(file, `WEBHOOK_API_KEY=${key}\nWEBHOOK_SECRET_KEY=${secret}\n`, { mode: 0o600 });
  }
  return readEnvFile(file);
}

const infra = readEnvFile(join(root, '.cache', 'infra', 'env'));
const keys = { ...developmentKeys(), ...pick(process.env, ['WEBHOOK_API_KEY', 'WEBHOOK_SECRET_KEY']) };
const pgHostPort = process.env.CONVENE_PG_HOSTPORT ?? '127.0.0.1:55432';

function pick(source, names) {
  return Object.fromEntries(names.filter((name) => source[name]).map((name) => [name, source[name]]));
}

// The V8 flags deploy/docker/entrypoint.sh gives a service process (a small young generation; see
// bench/README.md, "Footprint"), so that a local fleet has the footprint of a deployed one.
const nodeFlags = (process.env.CONVENE_NODE_FLAGS ?? '--max-semi-space-size=8').split(' ').filter(Boolean);

const children = SERVICES.map(([service, port]) => {
  const env = {
    ...process.env,
    ...keys,
    CONVENE_MODE: 'distributed',
    PORT: String(port),
    HOST: '127.0.0.1',
    DATABASE_URL: `postgres://${service}:${service}@${pgHostPort}/convene`,
    KAFKA_BROKERS: process.env.KAFKA_BROKERS ?? infra.KAFKA_BROKERS ?? '127.0.0.1:9092',
    OTEL_EXPORTER_OTLP_ENDPOINT: process.env.OTEL_EXPORTER_OTLP_ENDPOINT ?? infra.OTEL_EXPORTER_OTLP_ENDPOINT ?? '',
    AUDIT_URL: process.env.AUDIT_URL ?? 'http://127.0.0.1:8004',
  };
  const log = createWriteStream(join(logDir, `${service}.log`), { flags: 'a' });
  const child = spawn(process.execPath, [...nodeFlags, join(root, 'dist', 'apps', service, 'src', 'main.js')], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  child.on('exit', (code, signal) => {
    process.stderr.write(`start-all: ${service} exited (${signal ?? code}); see ${join(logDir, `${service}.log`)}\n`);
  });
  return child;
});

process.stdout.write(
  `start-all: ${SERVICES.map(([s, p]) => `${s}:${p}`).join(' ')} — logs in ${logDir}\n` +
    `start-all: webhook key and secret in ${join(stateDir, 'keys.env')}\n`,
);

function stopAll() {
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  setTimeout(() => process.exit(0), 10_000).unref();
}
process.on('SIGINT', stopAll);
process.on('SIGTERM', stopAll);
