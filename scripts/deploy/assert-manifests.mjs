// Asserts Convene's deployment policy on `helm template` output, beyond what the Kubernetes
// schemas check: hardened pods, probes, migrations hook, wiring between services. Writes the
// objects that have a Kubernetes schema (all but CRD-backed kinds) to <out> for validation.
// Usage: node scripts/deploy/assert-manifests.mjs <rendered.yaml> <out.yaml> <authorities.yaml>
import { readFileSync, writeFileSync } from 'node:fs';
import { parseAllDocuments, stringify } from 'yaml';

const SERVICES = ['gateway', 'analysis', 'scheduling', 'notification', 'audit'];
const CRD_GROUPS = ['monitoring.coreos.com/'];

const [renderedPath, outPath, authoritiesPath] = process.argv.slice(2);
const objects = parseAllDocuments(readFileSync(renderedPath, 'utf8'))
  .map((doc) => doc.toJS())
  .filter((object) => object !== null);
const problems = [];
const expect = (condition, message) => {
  if (!condition) problems.push(message);
};
const byKind = (kind) => objects.filter((object) => object.kind === kind);
const component = (object) => object.metadata?.labels?.['app.kubernetes.io/component'];

checkDeployments();
checkServicesAndBudgets();
checkMigrations();
checkAuthorities();
for (const pod of byKind('Pod')) checkPod(pod.metadata.name, pod.spec, { writesTmp: false });

if (problems.length > 0) {
  for (const problem of problems) process.stderr.write(`assert-manifests: ${problem}\n`);
  process.exit(1);
}
const core = objects.filter((object) => !CRD_GROUPS.some((group) => object.apiVersion.startsWith(group)));
writeFileSync(outPath, core.map((object) => stringify(object)).join('---\n'));
const kinds = [...new Set(objects.map((object) => object.kind))].sort().join(', ');
process.stdout.write(`assert-manifests: ${objects.length} objects pass (${kinds})\n`);

function checkDeployments() {
  const deployments = byKind('Deployment');
  expect(deployments.length > 0, 'no Deployment rendered');
  for (const deployment of deployments) {
    const name = deployment.metadata.name;
    const service = component(deployment);
    const pod = deployment.spec.template.spec;
    checkPod(name, pod);
    const [container] = pod.containers;
    expect(container.args?.[0] === service, `${name}: container args must select the service (${service})`);
    expect(container.livenessProbe?.httpGet?.path === '/health', `${name}: liveness probe must GET /health`);
    expect(container.readinessProbe?.httpGet?.path === '/ready', `${name}: readiness probe must GET /ready`);
    expect(container.resources?.requests !== undefined, `${name}: resource requests missing`);
    const env = Object.fromEntries((container.env ?? []).map((entry) => [entry.name, entry]));
    expect(env.CONVENE_MODE?.value === 'distributed', `${name}: CONVENE_MODE must be distributed`);
    expect(env.HOST?.value === '0.0.0.0', `${name}: HOST must be 0.0.0.0`);
    expect(env.KAFKA_BROKERS?.value, `${name}: KAFKA_BROKERS missing`);
    expect(env.WEBHOOK_API_KEY?.valueFrom?.secretKeyRef, `${name}: WEBHOOK_API_KEY must come from a Secret`);
    expect(env.WEBHOOK_SECRET_KEY?.valueFrom?.secretKeyRef, `${name}: WEBHOOK_SECRET_KEY must come from a Secret`);
    const url = env.DATABASE_URL?.value ?? '';
    expect(
      url.startsWith(`postgres://${service}:$(DATABASE_PASSWORD)@`),
      `${name}: DATABASE_URL must use role ${service}`,
    );
    expect(
      env.PORT?.value === String(container.ports?.[0]?.containerPort),
      `${name}: PORT must match the container port`,
    );
    if (service === 'gateway') checkAuditUrl(name, env.AUDIT_URL?.value);
  }
}

function checkPod(name, pod, { writesTmp = true } = {}) {
  expect(pod.securityContext?.runAsNonRoot === true, `${name}: pod must set runAsNonRoot`);
  expect(pod.securityContext?.seccompProfile?.type === 'RuntimeDefault', `${name}: pod seccomp must be RuntimeDefault`);
  expect(pod.automountServiceAccountToken === false, `${name}: service account token must not be mounted`);
  const tmp = (pod.volumes ?? []).find((volume) => volume.name === 'tmp');
  expect(!writesTmp || tmp?.emptyDir !== undefined, `${name}: /tmp must be an emptyDir`);
  for (const container of pod.containers) {
    const context = container.securityContext ?? {};
    expect(context.readOnlyRootFilesystem === true, `${name}/${container.name}: root filesystem must be read-only`);
    expect(context.allowPrivilegeEscalation === false, `${name}/${container.name}: privilege escalation allowed`);
    expect(context.capabilities?.drop?.includes('ALL'), `${name}/${container.name}: capabilities must drop ALL`);
    expect(!/:latest$/.test(container.image), `${name}/${container.name}: image must not be :latest`);
    const mounts = container.volumeMounts ?? [];
    expect(
      !writesTmp || mounts.some((mount) => mount.name === 'tmp' && mount.mountPath === '/tmp'),
      `${name}: /tmp not mounted`,
    );
  }
}

function checkAuditUrl(name, auditUrl) {
  const audit = byKind('Service').find((service) => component(service) === 'audit');
  if (!audit) return;
  const expected = `http://${audit.metadata.name}:${audit.spec.ports[0].port}`;
  expect(auditUrl === expected, `${name}: AUDIT_URL is ${auditUrl}, expected ${expected}`);
}

function checkServicesAndBudgets() {
  const budgets = byKind('PodDisruptionBudget');
  for (const deployment of byKind('Deployment')) {
    const service = component(deployment);
    expect(
      byKind('Service').some((svc) => component(svc) === service),
      `${deployment.metadata.name}: no Service`,
    );
    if (budgets.length > 0) {
      expect(
        budgets.some((budget) => component(budget) === service),
        `${deployment.metadata.name}: no PodDisruptionBudget`,
      );
    }
    const policies = byKind('NetworkPolicy');
    if (policies.length > 0) {
      expect(
        policies.some((policy) => component(policy) === service),
        `${deployment.metadata.name}: no NetworkPolicy`,
      );
    }
  }
}

function checkMigrations() {
  const [job] = byKind('Job');
  if (!job) return;
  const hooks = (job.metadata.annotations?.['helm.sh/hook'] ?? '').split(',');
  expect(
    hooks.includes('pre-install') && hooks.includes('pre-upgrade'),
    'migrations Job must be a pre-install/pre-upgrade hook',
  );
  const pod = job.spec.template.spec;
  checkPod(job.metadata.name, pod);
  const [container] = pod.containers;
  expect(container.args?.[0] === 'migrate', 'migrations Job must run `migrate`');
  const deployed = byKind('Deployment').map(component).sort();
  expect(
    JSON.stringify([...container.args.slice(1)].sort()) === JSON.stringify(deployed),
    `migrations Job migrates ${container.args.slice(1)} but ${deployed} are deployed`,
  );
  for (const service of container.args.slice(1)) {
    const url = container.env.find((entry) => entry.name === `DATABASE_URL_${service.toUpperCase()}`)?.value ?? '';
    expect(
      url.startsWith(`postgres://${service}:`),
      `migrations Job: DATABASE_URL_${service.toUpperCase()} must use role ${service}`,
    );
  }
  const secret = byKind('Secret')[0];
  if (secret) {
    const order = (object) => Number(object.metadata.annotations?.['helm.sh/hook-weight'] ?? 0);
    expect(order(secret) < order(job), 'the chart Secret must be created before the migrations Job (hook weight)');
  }
}

function checkAuthorities() {
  const configMap = byKind('ConfigMap').find((object) => object.data?.['alert_authorities.yaml'] !== undefined);
  expect(configMap !== undefined, 'no ConfigMap with alert_authorities.yaml');
  if (configMap && authoritiesPath) {
    const expected = readFileSync(authoritiesPath, 'utf8').trimEnd();
    expect(
      configMap.data['alert_authorities.yaml'].trimEnd() === expected,
      'authorities ConfigMap differs from the file',
    );
  }
}
