// Writes deploy/helm/convene/values.schema.json. The schema is kept as code so that the five
// services share one definition; `check.sh` fails when the committed file differs from this output.
// Usage: node scripts/deploy/values-schema.mjs [--check]
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import prettier from 'prettier';

const SCHEMA_PATH = fileURLToPath(new URL('../../deploy/helm/convene/values.schema.json', import.meta.url));
const SERVICES = ['gateway', 'analysis', 'scheduling', 'notification', 'audit'];
const SECRET_KEYS = [
  'WEBHOOK_API_KEY',
  'WEBHOOK_SECRET_KEY',
  'API_READ_KEYS',
  'OPENAI_API_KEY',
  'CHAINSYNC_API_KEY',
  'SLOTIFY_API_KEY',
  'SMTP_URL',
  'SLACK_WEBHOOK_URL',
  ...SERVICES.map((service) => `DATABASE_PASSWORD_${service.toUpperCase()}`),
];

const string = { type: 'string' };
const boolean = { type: 'boolean' };
const stringMap = { type: 'object', additionalProperties: { type: 'string' } };
const positiveInt = { type: 'integer', minimum: 1 };
const port = { type: 'integer', minimum: 1, maximum: 65535 };
// Kubernetes-typed passthroughs (resources, affinity, peers, rules) are checked by the API server.
const k8sObject = { type: 'object' };
const k8sList = { type: 'array', items: { type: 'object' } };
const quantity = { anyOf: [{ type: 'string' }, { type: 'number' }] };
const duration = { type: 'string', pattern: '^[0-9]+(ms|s|m|h)$' };

/** A closed object: every property listed, unknown keys rejected, all of them required. */
function closed(properties, extra = {}) {
  return { type: 'object', additionalProperties: false, required: Object.keys(properties), properties, ...extra };
}

const probe = closed({ periodSeconds: positiveInt, timeoutSeconds: positiveInt, failureThreshold: positiveInt });

const resources = closed(
  {
    requests: { type: 'object', additionalProperties: quantity },
    limits: { type: 'object', additionalProperties: quantity },
  },
  { required: [] },
);

const service = closed({
  enabled: boolean,
  replicas: { type: 'integer', minimum: 0 },
  port,
  resources: { $ref: '#/definitions/resources' },
  env: {
    ...stringMap,
    description: 'Extra environment for this service only (overrides config).',
    additionalProperties: { type: ['string', 'number', 'boolean'] },
    propertyNames: { pattern: '^[A-Z_][A-Z0-9_]*$' },
  },
  autoscaling: closed({
    enabled: boolean,
    minReplicas: positiveInt,
    maxReplicas: positiveInt,
    targetCPUUtilizationPercentage: { type: 'integer', minimum: 1, maximum: 100 },
  }),
});

const schema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'Convene Helm chart values',
  type: 'object',
  additionalProperties: false,
  definitions: { probe, resources, service },
  properties: {
    image: closed({
      repository: { type: 'string', minLength: 1 },
      tag: string,
      digest: { type: 'string', pattern: '^(|sha256:[a-f0-9]{64})$' },
      pullPolicy: { enum: ['Always', 'IfNotPresent', 'Never'] },
    }),
    imagePullSecrets: { type: 'array', items: closed({ name: string }) },
    nameOverride: string,
    fullnameOverride: string,
    serviceAccount: closed({ create: boolean, name: string, annotations: stringMap }),
    kafka: closed({ brokers: { type: 'string', minLength: 1 } }),
    postgresql: closed({
      host: { type: 'string', minLength: 1 },
      port,
      database: { type: 'string', minLength: 1 },
      sslmode: { enum: ['', 'disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'] },
    }),
    otel: closed({ endpoint: string }),
    config: closed(
      {
        PUBLIC_URL: string,
        JAEGER_UI_URL: string,
        OPENAI_BASE_URL: string,
        OPENAI_MODEL: string,
        CHAINSYNC_API_URL: string,
        SLOTIFY_API_URL: string,
        RATE_LIMIT_PER_MINUTE: { anyOf: [positiveInt, { type: 'string', pattern: '^[1-9][0-9]*$' }] },
        TRUSTED_PROXIES: string,
        LOG_LEVEL: { enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] },
        LOG_FORMAT: { enum: ['json', 'pretty'] },
      },
      { required: [] },
    ),
    authorities: closed({ content: string }),
    secrets: closed({
      existingSecret: string,
      values: closed(Object.fromEntries(SECRET_KEYS.map((key) => [key, string])), { required: [] }),
    }),
    services: closed(Object.fromEntries(SERVICES.map((name) => [name, { $ref: '#/definitions/service' }]))),
    migrations: closed({
      enabled: boolean,
      backoffLimit: { type: 'integer', minimum: 0 },
      activeDeadlineSeconds: positiveInt,
      ttlSecondsAfterFinished: { type: 'integer', minimum: 0 },
      resources: { $ref: '#/definitions/resources' },
    }),
    podAnnotations: stringMap,
    podLabels: stringMap,
    nodeSelector: stringMap,
    tolerations: k8sList,
    affinity: k8sObject,
    topologySpreadConstraints: k8sList,
    terminationGracePeriodSeconds: { type: 'integer', minimum: 0 },
    podSecurityContext: k8sObject,
    securityContext: k8sObject,
    tmpSizeLimit: { type: 'string', pattern: '^[0-9]+(Ki|Mi|Gi)$' },
    probes: closed({
      startup: { $ref: '#/definitions/probe' },
      liveness: { $ref: '#/definitions/probe' },
      readiness: { $ref: '#/definitions/probe' },
    }),
    podDisruptionBudget: closed({
      enabled: boolean,
      maxUnavailable: { anyOf: [positiveInt, { type: 'string', pattern: '^[0-9]+%$' }] },
    }),
    gatewayService: closed({ type: { enum: ['ClusterIP', 'NodePort', 'LoadBalancer'] }, annotations: stringMap }),
    ingress: closed({
      enabled: boolean,
      className: string,
      annotations: stringMap,
      host: { type: 'string', minLength: 1 },
      tlsSecretName: string,
    }),
    networkPolicy: closed({
      enabled: boolean,
      gatewayFrom: k8sList,
      metricsFrom: k8sList,
      egress: closed({ restrict: boolean, rules: k8sList }),
    }),
    serviceMonitor: closed({ enabled: boolean, interval: duration, scrapeTimeout: duration, labels: stringMap }),
  },
};
schema.required = Object.keys(schema.properties);

// Formatted as the repository's Prettier config would, so `npm run format:check` stays green.
const options = (await prettier.resolveConfig(SCHEMA_PATH)) ?? {};
const text = await prettier.format(JSON.stringify(schema), { ...options, parser: 'json' });
if (process.argv.includes('--check')) {
  const current = readFileSync(SCHEMA_PATH, 'utf8');
  if (current !== text) {
    process.stderr.write('values.schema.json is out of date: run node scripts/deploy/values-schema.mjs\n');
    process.exit(1);
  }
} else {
  writeFileSync(SCHEMA_PATH, text);
}
