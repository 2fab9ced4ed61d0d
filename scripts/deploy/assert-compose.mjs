// Asserts Convene's wiring on the resolved Compose model (compose-check's JSON): pinned images,
// the migrations step before every service, health-gated start order, per-service database roles,
// and nothing published beyond loopback.
// Usage: node scripts/deploy/assert-compose.mjs <model.json>
import { readFileSync } from 'node:fs';

const SERVICES = ['gateway', 'analysis', 'scheduling', 'notification', 'audit'];
const INFRA = ['kafka', 'postgres', 'jaeger', 'mailpit'];

const model = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const services = model.services ?? {};
const problems = [];
const expect = (condition, message) => {
  if (!condition) problems.push(message);
};

for (const name of [...INFRA, 'migrate', ...SERVICES]) expect(services[name], `service ${name} missing`);
for (const name of INFRA) {
  const image = services[name]?.image ?? '';
  expect(/:[0-9v][^:]*$/.test(image) && !image.endsWith(':latest'), `${name}: image ${image} must be pinned`);
}
expect(/^apache\/kafka:[34]\.[0-9]+\.[0-9]+$/.test(services.kafka?.image ?? ''), 'kafka: official apache/kafka image');
expect(
  (services.postgres?.volumes ?? []).some((volume) => volume.target.startsWith('/docker-entrypoint-initdb.d/')),
  'postgres: init-db.sql must be mounted into /docker-entrypoint-initdb.d',
);
checkMigrate(services.migrate);
const ports = new Set();
for (const name of SERVICES) checkService(name, services[name]);
for (const [name, service] of Object.entries(services)) {
  for (const port of service.ports ?? []) {
    expect(port.host_ip === '127.0.0.1', `${name}: port ${port.published} must be published on 127.0.0.1 only`);
  }
}

if (problems.length > 0) {
  for (const problem of problems) process.stderr.write(`assert-compose: ${problem}\n`);
  process.exit(1);
}
process.stdout.write(`assert-compose: ${Object.keys(services).length} services pass\n`);

function checkMigrate(migrate) {
  if (!migrate) return;
  expect(migrate.command?.[0] === 'migrate', 'migrate: command must start with migrate');
  expect(
    SERVICES.every((name) => migrate.command.includes(name)),
    'migrate: must migrate all five services',
  );
  expect(migrate.depends_on?.postgres?.condition === 'service_healthy', 'migrate: must wait for a healthy postgres');
  for (const name of SERVICES) {
    const url = migrate.environment?.[`DATABASE_URL_${name.toUpperCase()}`] ?? '';
    expect(url.startsWith(`postgres://${name}:`), `migrate: DATABASE_URL_${name.toUpperCase()} must use role ${name}`);
  }
}

function checkService(name, service) {
  if (!service) return;
  const env = service.environment ?? {};
  expect(service.command?.[0] === name, `${name}: command must select the service`);
  expect(service.image === services.migrate?.image, `${name}: must run the same image as migrate`);
  expect(service.user === undefined || service.user !== 'root', `${name}: must not run as root`);
  expect(service.read_only === true, `${name}: root filesystem must be read-only`);
  expect(service.healthcheck?.test?.length > 0, `${name}: healthcheck missing`);
  expect(
    service.depends_on?.migrate?.condition === 'service_completed_successfully',
    `${name}: must start after migrate completed successfully`,
  );
  expect(service.depends_on?.kafka?.condition === 'service_healthy', `${name}: must wait for a healthy kafka`);
  expect(env.CONVENE_MODE === 'distributed', `${name}: CONVENE_MODE must be distributed`);
  expect(env.HOST === '0.0.0.0', `${name}: HOST must be 0.0.0.0`);
  expect(env.KAFKA_BROKERS === 'kafka:9092', `${name}: KAFKA_BROKERS must be kafka:9092`);
  expect((env.DATABASE_URL ?? '').startsWith(`postgres://${name}:`), `${name}: DATABASE_URL must use role ${name}`);
  expect(env.WEBHOOK_API_KEY && env.WEBHOOK_SECRET_KEY, `${name}: webhook keys required in distributed mode`);
  expect(!ports.has(env.PORT), `${name}: PORT ${env.PORT} used twice`);
  ports.add(env.PORT);
  if (name === 'gateway') {
    expect(
      env.AUDIT_URL === `http://audit:${services.audit?.environment?.PORT}`,
      'gateway: AUDIT_URL must reach audit',
    );
    expect(
      (service.ports ?? []).some((port) => port.published === '8000' && port.target === Number(env.PORT)),
      'gateway: must be published on 8000',
    );
  }
}
