/*
 * The Helm chart charts/openbao-backup, checked without a helm binary:
 * - values.yaml and the ci/ value sets validate against values.schema.json (ajv, as Helm does before
 *   rendering), and bad values are rejected;
 * - the templates render (goTemplate.ts, a Go text/template subset with Helm's functions) for
 *   several value sets, and, when a Go toolchain with Debian's sprig is installed, render to the
 *   same documents with the real text/template + sprig (helm-render/main.go);
 * - every rendered object validates against the Kubernetes OpenAPI schemas (kubernetes-models);
 * - RBAC is least privilege (exact verbs per resource, no wildcards, Secrets by name);
 * - the OpenBaoCluster CRD schema is structural and rejects bad spec.backup values (ajv on the
 *   rendered openAPIV3Schema);
 * - the optional backend Deployment has probes, a non-root read-only securityContext, a PDB and a
 *   NetworkPolicy.
 */

import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Ajv from 'ajv';
import { parse } from 'yaml';
import {
  buildRenderContext,
  renderChart,
  RenderedChart,
  RenderOptions,
  Values,
} from './renderChart';
import { validateWithKubernetesModels } from './kubernetesModels';

const CHART_DIR = path.resolve(__dirname, '../../../../charts/openbao-backup');
const schema = JSON.parse(
  fs.readFileSync(path.join(CHART_DIR, 'values.schema.json'), 'utf8'),
);
const ajv = new Ajv({ allErrors: true, strict: false });
const validateValues = ajv.compile(schema);

function readValues(file: string): Values {
  return parse(fs.readFileSync(path.join(CHART_DIR, file), 'utf8'));
}

function assertValuesValid(values: Values) {
  if (!validateValues(values)) {
    throw new Error(
      `values do not match values.schema.json: ${ajv.errorsText(
        validateValues.errors,
      )}`,
    );
  }
}

function render(
  values: Values[] = [],
  extra: Partial<RenderOptions> = {},
): RenderedChart {
  return renderChart(CHART_DIR, {
    values,
    validateValues: assertValuesValid,
    ...extra,
  });
}

const VALUE_SETS: Record<string, Values[]> = {
  defaults: [],
  namespaced: [readValues('ci/namespaced-values.yaml')],
  backend: [readValues('ci/backend-values.yaml')],
  'backend-minimal': [
    {
      backend: {
        enabled: true,
        appBaseUrl: 'https://b.example.com',
        backendBaseUrl: 'https://b.example.com',
        kubernetesClusterName: 'local',
        backendSecret: { existingSecret: 'bs' },
        postgres: { existingSecret: 'pg' },
        podDisruptionBudget: { enabled: false },
        networkPolicy: { enabled: false },
        startupProbe: null,
      },
      rbac: { secrets: { allowAllWhenUnnamed: true } },
    },
  ],
  'identity-only': [
    {
      rbac: { create: false },
      serviceAccount: { tokenSecret: { create: false } },
      fullnameOverride: 'bao-bk',
    },
  ],
};

function byKind(r: RenderedChart, kind: string) {
  return r.objects.filter(o => o.kind === kind);
}

function one(r: RenderedChart, kind: string) {
  const found = byKind(r, kind);
  expect(found).toHaveLength(1);
  return found[0];
}

/** The rules as "apiGroup/resource" → verbs (sorted), plus resourceNames per resource. */
function rulesTable(rules: any[]) {
  const table: Record<string, string[]> = {};
  const names: Record<string, string[]> = {};
  for (const rule of rules) {
    for (const g of rule.apiGroups) {
      for (const res of rule.resources) {
        const key = `${g || 'core'}/${res}`;
        table[key] = [...(table[key] ?? []), ...rule.verbs].sort();
        if (rule.resourceNames) names[key] = rule.resourceNames;
      }
    }
  }
  return { table, names };
}

const EXPECTED_RULES = {
  'openbao.org/openbaoclusters': ['get', 'list', 'patch', 'watch'],
  'openbao.org/openbaoclusters/status': ['patch'],
  // For the Job's blockOwnerDeletion ownerReference under OwnerReferencesPermissionEnforcement.
  'openbao.org/openbaoclusters/finalizers': ['update'],
  'openbao.org/openbaorestores': ['list'],
  'batch/jobs': ['create', 'delete', 'get', 'list', 'watch'],
  'core/pods': ['delete', 'list'],
  'core/events': ['create'],
};

describe('Chart.yaml', () => {
  it('is a conventional apiVersion v2 application chart', () => {
    const chart = parse(
      fs.readFileSync(path.join(CHART_DIR, 'Chart.yaml'), 'utf8'),
    );
    expect(chart.apiVersion).toBe('v2');
    expect(chart.name).toBe(path.basename(CHART_DIR));
    expect(chart.type).toBe('application');
    expect(chart.version).toMatch(/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/);
    expect(typeof chart.appVersion).toBe('string');
    expect(chart.kubeVersion).toBe('>=1.25.0-0');
    for (const f of [
      'values.yaml',
      'values.schema.json',
      'README.md',
      '.helmignore',
      'templates/NOTES.txt',
      'templates/_helpers.tpl',
    ]) {
      expect(fs.existsSync(path.join(CHART_DIR, f))).toBe(true);
    }
  });
});

describe('values.schema.json', () => {
  it('accepts values.yaml and every ci/ value set', () => {
    expect(() => assertValuesValid(readValues('values.yaml'))).not.toThrow();
    for (const [name, sets] of Object.entries(VALUE_SETS)) {
      expect(() => render(sets)).not.toThrow();
      expect(name).toBeTruthy();
    }
  });

  it('documents every value in values.yaml with a comment', () => {
    // helm-docs style: a "# --" comment right above a key documents it, including the default
    // object below it (probe timings, securityContext, ...); a plain comment documents a section.
    const lines = fs
      .readFileSync(path.join(CHART_DIR, 'values.yaml'), 'utf8')
      .split('\n');
    const undocumented: string[] = [];
    const parents: Array<{ indent: number; covers: boolean }> = [];
    lines.forEach((line, i) => {
      const m = /^(\s*)([A-Za-z][A-Za-z0-9]*):\s*(.*)$/.exec(line);
      if (!m) return;
      const indent = m[1].length;
      while (parents.length && parents[parents.length - 1].indent >= indent)
        parents.pop();
      let j = i - 1;
      while (j >= 0 && /^\s*#/.test(lines[j]) && !/^\s*# --/.test(lines[j]))
        j--;
      const valueDoc = j >= 0 && /^\s*# --/.test(lines[j]);
      const anyDoc = /^\s*#/.test(lines[i - 1] ?? '');
      const covered = parents.some(p => p.covers);
      const isSection = m[3] === '';
      if (!covered && !valueDoc && !(isSection && anyDoc) && !isSection)
        undocumented.push(line.trim());
      parents.push({ indent, covers: valueDoc || covered });
    });
    expect(undocumented).toEqual([]);
  });

  it.each([
    ['an unknown top-level key', { backupServiceAcounts: [] }],
    ['rbac.namespaces not a list', { rbac: { namespaces: 'openbao' } }],
    [
      'a namespace that is not a DNS label',
      { rbac: { namespaces: ['Open_Bao'] } },
    ],
    [
      'a backup SA without cluster',
      { backupServiceAccounts: [{ namespace: 'openbao' }] },
    ],
    ['negative replicas', { backend: { replicas: -1 } }],
    ['a tag-less digest', { backend: { image: { digest: 'latest' } } }],
    ['a bad pull policy', { backend: { image: { pullPolicy: 'Sometimes' } } }],
    [
      'a bad PDB value',
      { backend: { podDisruptionBudget: { minAvailable: 'half' } } },
    ],
  ])('rejects %s', (_label, override) => {
    expect(() => render([override as Values])).toThrow(/values\.schema\.json/);
  });
});

describe.each(Object.entries(VALUE_SETS))(
  'rendering with %s values',
  (_name, sets) => {
    const rendered = render(sets);

    it('renders only objects that validate against the Kubernetes schemas', () => {
      expect(rendered.objects.length).toBeGreaterThan(0);
      expect(validateWithKubernetesModels(rendered.objects, __dirname)).toEqual(
        [],
      );
    });

    it('labels every object the standard way and names are unique per kind and namespace', () => {
      const seen = new Set<string>();
      for (const obj of rendered.objects) {
        const labels = obj.metadata.labels;
        expect(labels['app.kubernetes.io/name']).toBe('openbao-backup');
        expect(labels['app.kubernetes.io/instance']).toBe('openbao-backup');
        expect(labels['app.kubernetes.io/managed-by']).toBe('Helm');
        expect(labels['helm.sh/chart']).toBe('openbao-backup-0.1.0');
        expect(labels['app.kubernetes.io/version']).toBe('0.1.0');
        const id = `${obj.kind}/${obj.metadata.namespace ?? ''}/${
          obj.metadata.name
        }`;
        expect(seen.has(id)).toBe(false);
        seen.add(id);
      }
    });

    it('never grants wildcard verbs, resources or API groups, nor list/watch on Secrets', () => {
      for (const role of [
        ...byKind(rendered, 'ClusterRole'),
        ...byKind(rendered, 'Role'),
      ]) {
        for (const rule of role.rules) {
          expect(rule.verbs).not.toContain('*');
          expect(rule.resources).not.toContain('*');
          expect(rule.apiGroups).not.toContain('*');
        }
        const secretRules = role.rules.filter((rule: any) =>
          rule.resources.includes('secrets'),
        );
        expect(
          secretRules
            .flatMap((rule: any) => rule.verbs)
            .filter((v: string) => v !== 'get'),
        ).toEqual([]);
      }
    });

    it('renders NOTES.txt', () => {
      expect(rendered.notes).toContain('openbao-backup 0.1.0 is installed');
    });
  },
);

describe('RBAC', () => {
  it('defaults to a ClusterRole with exactly the verbs the backend needs and no Secret access', () => {
    const r = render();
    expect(byKind(r, 'Role')).toHaveLength(0);
    const role = one(r, 'ClusterRole');
    const { table } = rulesTable(role.rules);
    expect(table).toEqual(EXPECTED_RULES);
    const binding = one(r, 'ClusterRoleBinding');
    expect(binding.roleRef).toEqual({
      apiGroup: 'rbac.authorization.k8s.io',
      kind: 'ClusterRole',
      name: role.metadata.name,
    });
    expect(binding.subjects).toEqual([
      {
        kind: 'ServiceAccount',
        name: 'openbao-backup',
        namespace: 'openbao-backup',
      },
    ]);
    expect(r.notes).toContain('may not read any Secret');
  });

  it('creates a Role and RoleBinding per listed namespace, Secrets limited by resourceNames', () => {
    const r = render(VALUE_SETS.namespaced);
    expect(byKind(r, 'ClusterRole')).toHaveLength(0);
    expect(byKind(r, 'ClusterRoleBinding')).toHaveLength(0);
    const roles = byKind(r, 'Role');
    expect(roles.map(x => x.metadata.namespace)).toEqual([
      'openbao',
      'openbao-staging',
    ]);
    for (const role of roles) {
      const { table, names } = rulesTable(role.rules);
      expect(table).toEqual({ ...EXPECTED_RULES, 'core/secrets': ['get'] });
      expect(names).toEqual({
        'core/secrets': ['bao-backup-s3', 'bao-staging-backup-s3'],
      });
    }
    const bindings = byKind(r, 'RoleBinding');
    expect(
      bindings.map(x => [
        x.metadata.namespace,
        x.roleRef.kind,
        x.subjects[0].namespace,
      ]),
    ).toEqual([
      ['openbao', 'Role', 'openbao-backup'],
      ['openbao-staging', 'Role', 'openbao-backup'],
    ]);
  });

  it('grants get on every Secret only when allowAllWhenUnnamed is set, and says so', () => {
    const r = render(VALUE_SETS['backend-minimal']);
    const { table, names } = rulesTable(one(r, 'ClusterRole').rules);
    expect(table['core/secrets']).toEqual(['get']);
    expect(names['core/secrets']).toBeUndefined();
    expect(r.notes).toContain(
      'WARNING: the backend may read (get) every Secret',
    );
  });

  it('creates no RBAC with rbac.create=false', () => {
    const r = render(VALUE_SETS['identity-only']);
    expect(r.objects.map(o => o.kind)).toEqual(['ServiceAccount']);
    expect(r.objects[0].metadata.name).toBe('bao-bk');
  });
});

describe('ServiceAccounts and token Secret', () => {
  it('creates the backend ServiceAccount and a service-account-token Secret bound to it', () => {
    const r = render();
    const sa = one(r, 'ServiceAccount');
    expect(sa.automountServiceAccountToken).toBe(false);
    const secret = one(r, 'Secret');
    expect(secret.type).toBe('kubernetes.io/service-account-token');
    expect(secret.metadata.name).toBe('openbao-backup-token');
    expect(
      secret.metadata.annotations['kubernetes.io/service-account.name'],
    ).toBe(sa.metadata.name);
    expect(r.notes).toContain('get secret openbao-backup-token');
  });

  it('creates <cluster>-backup ServiceAccounts in the listed namespaces', () => {
    const r = render(VALUE_SETS.namespaced);
    const backupSas = byKind(r, 'ServiceAccount').filter(
      s => s.metadata.labels['openbao.org/component'] === 'backup',
    );
    expect(
      backupSas.map(s => `${s.metadata.namespace}/${s.metadata.name}`),
    ).toEqual([
      'openbao/bao-prod-backup',
      'openbao-staging/bao-staging-backup',
    ]);
    expect(backupSas[0].metadata.annotations).toEqual({
      'example.com/owner': 'team-platform',
    });
    expect(backupSas[1].metadata.annotations).toBeUndefined();
    expect(backupSas.every(s => s.automountServiceAccountToken === false)).toBe(
      true,
    );
    expect(r.notes).toContain('system:serviceaccount:openbao:bao-prod-backup');
  });
});

// ---------------------------------------------------------------------------------------------
// CRDs

function crdSchema(r: RenderedChart, name: string) {
  const crd = byKind(r, 'CustomResourceDefinition').find(
    c => c.metadata.name === name,
  );
  expect(crd).toBeDefined();
  return crd!.spec.versions[0].schema.openAPIV3Schema;
}

/**
 * The rules of a structural schema the API server enforces that matter here: a type on every
 * node (unless it preserves unknown fields), and only value validations inside oneOf/anyOf/allOf/not.
 * Patterns must be RE2: no look-around or back-references.
 */
function structuralProblems(node: any, at = 'openAPIV3Schema'): string[] {
  const problems: string[] = [];
  if (
    !node.type &&
    !node['x-kubernetes-preserve-unknown-fields'] &&
    !node['x-kubernetes-int-or-string']
  ) {
    problems.push(`${at}: no type`);
  }
  if (node.pattern && /\(\?[=!<]|\\[1-9]/.test(node.pattern))
    problems.push(`${at}: pattern is not RE2`);
  for (const [k, v] of Object.entries<any>(node.properties ?? {}))
    problems.push(...structuralProblems(v, `${at}.${k}`));
  if (node.items) problems.push(...structuralProblems(node.items, `${at}[]`));
  const junctors = [
    ...(node.oneOf ?? []),
    ...(node.anyOf ?? []),
    ...(node.allOf ?? []),
    ...(node.not ? [node.not] : []),
  ];
  for (const j of junctors) {
    for (const forbidden of [
      'type',
      'description',
      'default',
      'additionalProperties',
      'nullable',
      'properties',
      'items',
    ]) {
      if (forbidden in j) problems.push(`${at}: ${forbidden} inside a junctor`);
    }
  }
  return problems;
}

const validCluster = () => ({
  apiVersion: 'openbao.org/v1alpha1',
  kind: 'OpenBaoCluster',
  metadata: { name: 'bao-prod', namespace: 'openbao' },
  spec: {
    replicas: 3,
    operatorOwnedField: { kept: true },
    backup: {
      schedule: 'CRON_TZ=Europe/Berlin 0 */6 * * *',
      executorImage: `ghcr.io/openbao-backup/executor@sha256:${'a'.repeat(64)}`,
      target: {
        endpoint: 'https://s3.eu-central-1.amazonaws.com',
        bucket: 'bao-backups',
        pathPrefix: 'prod',
        region: 'eu-central-1',
        credentialsSecretRef: { name: 'bao-backup-s3' },
        partSize: 16 * 1024 * 1024,
        concurrency: 4,
      },
      jwtAuthRole: 'backup',
      retention: { maxCount: 30, maxAge: '30d' },
      suspend: false,
      activeDeadlineSeconds: 3600,
    },
  },
});

describe('OpenBaoCluster CRD schema', () => {
  const r = render(VALUE_SETS.namespaced);
  const schemaOf = crdSchema(r, 'openbaoclusters.openbao.org');
  const crdAjv = new Ajv({ allErrors: true, strict: false });
  const validate = crdAjv.compile(schemaOf);

  it('is only rendered with crds.install and is kept on uninstall', () => {
    expect(byKind(render(), 'CustomResourceDefinition')).toHaveLength(0);
    const crds = byKind(r, 'CustomResourceDefinition');
    expect(crds.map(c => c.metadata.name).sort()).toEqual([
      'openbaoclusters.openbao.org',
      'openbaorestores.openbao.org',
    ]);
    for (const crd of crds) {
      expect(crd.metadata.annotations['helm.sh/resource-policy']).toBe('keep');
      expect(crd.spec.group).toBe('openbao.org');
      expect(crd.spec.versions.map((v: any) => v.name)).toEqual(['v1alpha1']);
      expect(crd.spec.versions[0].subresources).toEqual({ status: {} });
      expect(
        structuralProblems(crd.spec.versions[0].schema.openAPIV3Schema),
      ).toEqual([]);
    }
  });

  it('accepts a complete spec, the token variant, web identity and the cron forms', () => {
    expect(validate(validCluster())).toBe(true);
    const token = validCluster();
    delete (token.spec.backup as any).jwtAuthRole;
    (token.spec.backup as any).tokenSecretRef = { name: 'bao-token' };
    expect(validate(token)).toBe(true);
    const irsa = validCluster();
    delete (irsa.spec.backup.target as any).credentialsSecretRef;
    (irsa.spec.backup.target as any).roleArn =
      'arn:aws:iam::123456789012:role/bao-backup';
    expect(validate(irsa)).toBe(true);
    (irsa.spec.backup.target as any).caSecretRef = { name: 'store-ca' };
    expect(validate(irsa)).toBe(true);
    (irsa.spec.backup.target as any).caSecretRef.key = 'ca.crt';
    expect(validate(irsa)).toBe(true);
    for (const schedule of [
      '*/15 * * * *',
      '0 3 * * MON-FRI',
      '30 2 1,15 * *',
      '@daily',
      '0 0-23/2 * JAN-JUN ?',
    ]) {
      const c = validCluster();
      c.spec.backup.schedule = schedule;
      expect({ schedule, ok: validate(c) }).toEqual({ schedule, ok: true });
    }
  });

  const bad: Array<[string, (b: any) => void]> = [
    ['missing bucket', b => delete b.target.bucket],
    ['missing target', b => delete b.target],
    ['missing executorImage', b => delete b.executorImage],
    ['partSize below 5 MiB', b => (b.target.partSize = 5 * 1024 * 1024 - 1)],
    ['concurrency 0', b => (b.target.concurrency = 0)],
    ['concurrency 17', b => (b.target.concurrency = 17)],
    ['a 4-field cron', b => (b.schedule = '0 3 * *')],
    ['a 6-field cron', b => (b.schedule = '0 0 3 * * *')],
    ['prose instead of cron', b => (b.schedule = 'every day at 3')],
    ['@every (not a CronJob macro)', b => (b.schedule = '@every 1h')],
    [
      'both jwtAuthRole and tokenSecretRef',
      b => (b.tokenSecretRef = { name: 'bao-token' }),
    ],
    ['neither jwtAuthRole nor tokenSecretRef', b => delete b.jwtAuthRole],
    ['an empty jwtAuthRole', b => (b.jwtAuthRole = '')],
    ['negative retention.maxCount', b => (b.retention.maxCount = -1)],
    ['a prose retention.maxAge', b => (b.retention.maxAge = '30 days')],
    [
      'roleArn together with credentialsSecretRef',
      b => (b.target.roleArn = 'arn:aws:iam::1:role/x'),
    ],
    ['a string partSize', b => (b.target.partSize = '16Mi')],
    ['caSecretRef without a name', b => (b.target.caSecretRef = { key: 'ca' })],
    [
      'a caSecretRef key with a slash',
      b => (b.target.caSecretRef = { name: 'ca', key: '../ca' }),
    ],
  ];
  it.each(bad)('rejects %s', (_label, mutate) => {
    const c = validCluster();
    mutate(c.spec.backup);
    expect(validate(c)).toBe(false);
  });

  it('accepts an OpenBaoRestore and requires its cluster', () => {
    const restore = crdAjv.compile(crdSchema(r, 'openbaorestores.openbao.org'));
    expect(
      restore({
        spec: {
          cluster: 'bao-prod',
          source: { key: 'prod/openbao/bao-prod/x.snap' },
        },
      }),
    ).toBe(true);
    expect(restore({ spec: { source: {} } })).toBe(false);
  });
});

// ---------------------------------------------------------------------------------------------
// The optional backend

describe('backend Deployment', () => {
  it('is not rendered by default', () => {
    const kinds = render().objects.map(o => o.kind);
    for (const k of [
      'Deployment',
      'Service',
      'ConfigMap',
      'PodDisruptionBudget',
      'NetworkPolicy',
    ]) {
      expect(kinds).not.toContain(k);
    }
  });

  it('has probes, a non-root read-only securityContext, the Postgres Secret and the config', () => {
    const r = render(VALUE_SETS.backend);
    const dep = one(r, 'Deployment');
    expect(dep.spec.replicas).toBe(3);
    expect(dep.spec.selector.matchLabels).toEqual({
      'app.kubernetes.io/name': 'openbao-backup',
      'app.kubernetes.io/instance': 'openbao-backup',
      'app.kubernetes.io/component': 'backend',
    });
    const pod = dep.spec.template;
    expect(pod.metadata.labels).toMatchObject(dep.spec.selector.matchLabels);
    expect(pod.metadata.annotations['checksum/config']).toMatch(
      /^[0-9a-f]{64}$/,
    );
    expect(pod.spec.serviceAccountName).toBe('openbao-backup');
    expect(pod.spec.automountServiceAccountToken).toBe(true);
    expect(pod.spec.securityContext).toMatchObject({
      runAsNonRoot: true,
      runAsUser: 1000,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    const [c] = pod.spec.containers;
    expect(c.image).toBe(
      'registry.example.com/platform/openbao-backup-backend@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
    );
    expect(c.command).toEqual([
      'node',
      '--require',
      './packages/backend/dist/instrumentation.js',
      'packages/backend',
      '--config',
      'app-config.yaml',
      '--config',
      'app-config.production.yaml',
      '--config',
      '/etc/backstage/app-config.chart.yaml',
    ]);
    expect(c.readinessProbe.httpGet).toEqual({
      path: '/.backstage/health/v1/readiness',
      port: 'http',
    });
    expect(c.livenessProbe.httpGet).toEqual({
      path: '/.backstage/health/v1/liveness',
      port: 'http',
    });
    expect(c.startupProbe.httpGet.path).toBe('/.backstage/health/v1/liveness');
    expect(c.securityContext).toEqual({
      runAsNonRoot: true,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    });
    expect(c.resources.requests).toEqual({ cpu: '250m', memory: '512Mi' });
    expect(c.resources.limits).toEqual({ memory: '1Gi' });
    const env = Object.fromEntries(
      c.env.map((e: any) => [e.name, e.value ?? e.valueFrom]),
    );
    expect(env.KUBERNETES_CLUSTER_NAME).toBe('prod-eu1');
    expect(env.APP_BASE_URL).toBe('https://backstage.example.com');
    expect(env.BACKEND_SECRET).toEqual({
      secretKeyRef: { name: 'backstage-backend', key: 'backendSecret' },
    });
    for (const [v, key] of [
      ['POSTGRES_HOST', 'host'],
      ['POSTGRES_PORT', 'port'],
      ['POSTGRES_USER', 'user'],
      ['POSTGRES_PASSWORD', 'password'],
    ]) {
      expect(env[v]).toEqual({
        secretKeyRef: { name: 'backstage-postgres', key },
      });
    }
    expect(env.LOG_LEVEL).toBe('info');
    expect(c.volumeMounts.map((m: any) => m.mountPath).sort()).toEqual([
      '/etc/backstage',
      '/tmp',
    ]);
    const cm = one(r, 'ConfigMap');
    expect(parse(cm.data['app-config.chart.yaml'])).toEqual({
      catalog: {
        locations: [
          {
            type: 'url',
            target:
              'https://git.example.com/platform/catalog/blob/main/all.yaml',
          },
        ],
      },
    });
    const svc = one(r, 'Service');
    expect(svc.spec.selector).toEqual(dep.spec.selector.matchLabels);
    expect(svc.spec.ports).toEqual([
      { name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' },
      { name: 'metrics', port: 9464, targetPort: 'metrics', protocol: 'TCP' },
    ]);
    // The backend runs in-cluster: no token Secret was asked for.
    expect(byKind(r, 'Secret')).toHaveLength(0);
  });

  it('has a PodDisruptionBudget and a NetworkPolicy selecting its pods', () => {
    const r = render(VALUE_SETS.backend);
    const dep = one(r, 'Deployment');
    const pdb = one(r, 'PodDisruptionBudget');
    expect(pdb.spec).toEqual({
      minAvailable: 1,
      selector: { matchLabels: dep.spec.selector.matchLabels },
    });
    const np = one(r, 'NetworkPolicy');
    expect(np.spec.podSelector.matchLabels).toEqual(
      dep.spec.selector.matchLabels,
    );
    expect(np.spec.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(np.spec.ingress).toEqual([
      {
        ports: [{ port: 'http', protocol: 'TCP' }],
        from: [
          {
            namespaceSelector: {
              matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' },
            },
          },
        ],
      },
      {
        ports: [{ port: 'metrics', protocol: 'TCP' }],
        from: [
          {
            namespaceSelector: {
              matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' },
            },
          },
        ],
      },
    ]);
    expect(np.spec.egress[0].ports.map((p: any) => p.port)).toEqual([53, 53]);
    expect(np.spec.egress[1].ports.map((p: any) => p.port)).toEqual([
      443, 6443, 5432,
    ]);
  });

  it('omits the PDB, NetworkPolicy and startup probe when disabled and uses appVersion as the tag', () => {
    const r = render(VALUE_SETS['backend-minimal']);
    expect(byKind(r, 'PodDisruptionBudget')).toHaveLength(0);
    expect(byKind(r, 'NetworkPolicy')).toHaveLength(0);
    const [c] = one(r, 'Deployment').spec.template.spec.containers;
    expect(c.startupProbe).toBeUndefined();
    expect(c.image).toBe('ghcr.io/openbao-backup/backend:0.1.0');
  });

  it('serves Prometheus metrics on a port of their own by default: env, ports, scrape annotations', () => {
    const r = render(VALUE_SETS['backend-minimal']);
    const pod = one(r, 'Deployment').spec.template;
    const [c] = pod.spec.containers;
    expect(c.command.slice(0, 3)).toEqual([
      'node',
      '--require',
      './packages/backend/dist/instrumentation.js',
    ]);
    expect(c.ports).toEqual([
      { name: 'http', containerPort: 7007, protocol: 'TCP' },
      { name: 'metrics', containerPort: 9464, protocol: 'TCP' },
    ]);
    const env = Object.fromEntries(c.env.map((e: any) => [e.name, e.value]));
    expect(env).toMatchObject({
      OTEL_EXPORTER_PROMETHEUS_HOST: '0.0.0.0',
      OTEL_EXPORTER_PROMETHEUS_PORT: '9464',
    });
    expect(env.OTEL_METRICS_EXPORTER).toBeUndefined();
    expect(pod.metadata.annotations).toMatchObject({
      'prometheus.io/scrape': 'true',
      'prometheus.io/port': '9464',
      'prometheus.io/path': '/metrics',
    });
    expect(one(r, 'Service').spec.ports[1]).toEqual({
      name: 'metrics',
      port: 9464,
      targetPort: 'metrics',
      protocol: 'TCP',
    });
  });

  it('moves the metrics port, drops the annotations, or turns metrics off by environment', () => {
    const moved = render([
      ...VALUE_SETS.backend,
      {
        backend: {
          metrics: { port: 9100, host: '::', scrapeAnnotations: false },
        },
      },
    ]);
    const pod = one(moved, 'Deployment').spec.template;
    const [c] = pod.spec.containers;
    expect(c.ports[1]).toEqual({
      name: 'metrics',
      containerPort: 9100,
      protocol: 'TCP',
    });
    const env = Object.fromEntries(c.env.map((e: any) => [e.name, e.value]));
    expect(env.OTEL_EXPORTER_PROMETHEUS_PORT).toBe('9100');
    expect(env.OTEL_EXPORTER_PROMETHEUS_HOST).toBe('::');
    expect(Object.keys(pod.metadata.annotations)).toEqual(['checksum/config']);
    expect(one(moved, 'Service').spec.ports[1].port).toBe(9100);

    const off = render([
      ...VALUE_SETS.backend,
      { backend: { metrics: { enabled: false } } },
    ]);
    const offPod = one(off, 'Deployment').spec.template;
    const [offC] = offPod.spec.containers;
    expect(offC.ports.map((p: any) => p.name)).toEqual(['http']);
    const offEnv = Object.fromEntries(
      offC.env.map((e: any) => [e.name, e.value]),
    );
    expect(offEnv.OTEL_METRICS_EXPORTER).toBe('none');
    expect(offEnv.OTEL_EXPORTER_PROMETHEUS_PORT).toBeUndefined();
    expect(Object.keys(offPod.metadata.annotations)).toEqual([
      'checksum/config',
    ]);
    expect(one(off, 'Service').spec.ports.map((p: any) => p.name)).toEqual([
      'http',
    ]);
    expect(
      one(off, 'NetworkPolicy').spec.ingress.map((i: any) => i.ports[0].port),
    ).toEqual(['http']);
  });

  it('rejects a metrics port out of range', () => {
    expect(() =>
      render([
        ...VALUE_SETS['backend-minimal'],
        { backend: { metrics: { port: 70000 } } },
      ]),
    ).toThrow('values do not match values.schema.json');
  });

  it('uses maxUnavailable instead of minAvailable when set', () => {
    const r = render([
      ...VALUE_SETS.backend,
      { backend: { podDisruptionBudget: { maxUnavailable: '50%' } } },
    ]);
    expect(one(r, 'PodDisruptionBudget').spec.maxUnavailable).toBe('50%');
    expect(one(r, 'PodDisruptionBudget').spec.minAvailable).toBeUndefined();
  });

  it.each(['appBaseUrl', 'backendBaseUrl', 'kubernetesClusterName'])(
    'fails with a clear message without backend.%s',
    key => {
      const values = JSON.parse(
        JSON.stringify(VALUE_SETS['backend-minimal'][0]),
      );
      delete values.backend[key];
      expect(() => render([values])).toThrow(
        `backend.${key} is required when backend.enabled`,
      );
    },
  );

  it('fails without the Postgres Secret', () => {
    const values = JSON.parse(JSON.stringify(VALUE_SETS['backend-minimal'][0]));
    values.backend.postgres.existingSecret = '';
    expect(() => render([values])).toThrow(
      'backend.postgres.existingSecret is required',
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Cross-check against Go's text/template + Sprig (the engine Helm uses), when available.

function goRendererReason(): string | undefined {
  if (spawnSync('go', ['version']).status !== 0)
    return 'no Go toolchain (apt-get install golang-go)';
  if (
    !fs.existsSync(
      '/usr/share/gocode/src/github.com/Masterminds/sprig/functions.go',
    )
  ) {
    return 'no Sprig sources (apt-get install golang-github-masterminds-sprig-dev golang-github-ghodss-yaml-dev)';
  }
  if (!fs.existsSync('/usr/share/gocode/src/github.com/ghodss/yaml')) {
    return 'no ghodss/yaml sources (apt-get install golang-github-ghodss-yaml-dev)';
  }
  return undefined;
}

const goReason = goRendererReason();
const describeGo = goReason ? describe.skip : describe;
if (goReason) {
  // eslint-disable-next-line no-console
  console.log(`chart.test: Go text/template cross-check skipped: ${goReason}`);
}

describeGo('the same chart rendered by Go text/template + Sprig', () => {
  let binary = '';
  let tmp = '';
  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'helm-render-'));
    binary = path.join(tmp, 'helm-render');
    execFileSync('go', ['build', '-o', binary, '.'], {
      cwd: path.join(__dirname, 'helm-render'),
      env: {
        ...process.env,
        GO111MODULE: 'off',
        GOPATH: '/usr/share/gocode',
        GOCACHE: path.join(os.tmpdir(), 'openbao-backup-gocache'),
        GOFLAGS: '',
      },
      stdio: 'pipe',
    });
  }, 120_000);
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  function goRender(sets: Values[]) {
    const ctx = buildRenderContext(CHART_DIR, { values: sets });
    const ctxFile = path.join(tmp, 'ctx.json');
    fs.writeFileSync(ctxFile, JSON.stringify(ctx));
    const out = JSON.parse(
      execFileSync(binary, [CHART_DIR, ctxFile], { encoding: 'utf8' }),
    );
    if (out.error) throw new Error(out.error);
    return out.files as Record<string, string>;
  }

  it.each(Object.keys(VALUE_SETS))(
    'renders the %s values to the same documents and notes',
    name => {
      const ts = render(VALUE_SETS[name]);
      const go = goRender(VALUE_SETS[name]);
      const goNotes = go['openbao-backup/templates/NOTES.txt'];
      delete go['openbao-backup/templates/NOTES.txt'];
      expect(Object.keys(go).sort()).toEqual([...ts.files.keys()].sort());
      for (const [file, text] of ts.files) {
        const docs = (t: string) =>
          t
            .split(/^---$/m)
            .map(d => parse(d))
            .filter(d => d !== null && d !== undefined);
        expect({ file, docs: docs(go[file]) }).toEqual({
          file,
          docs: docs(text),
        });
      }
      expect(ts.notes).toBe(goNotes);
    },
  );

  it('fails the same way on a missing required value', () => {
    const values = JSON.parse(JSON.stringify(VALUE_SETS['backend-minimal'][0]));
    delete values.backend.kubernetesClusterName;
    expect(() => goRender([values])).toThrow(
      'backend.kubernetesClusterName is required when backend.enabled',
    );
  });
});
