/**
 * The demo's OpenBaoClusters: one healthy, one failing, one blocked by an upgrade, in two
 * namespaces on two Kubernetes clusters (one Kubernetes API double each, named like kind clusters).
 */
export interface DemoCluster {
  /** The Kubernetes cluster's name in `openbaoBackup.kubernetes.clusters[]` and the annotation. */
  kubernetesCluster: string;
  namespace: string;
  name: string;
  schedule: string;
  /** The JWT role the cluster's spec names; a role the OpenBao double lacks makes runs fail. */
  jwtAuthRole: string;
  phase: string;
  upgrade?: Record<string, string>;
  retention?: { maxCount?: number; maxAge?: string };
  /** Run the signed executor image from the sandbox registry with `spec.imageVerification`. */
  verifyImage?: boolean;
  description: string;
}

export const DEMO_CLUSTERS: DemoCluster[] = [
  {
    kubernetesCluster: 'kind-east',
    namespace: 'openbao',
    name: 'bao-prod',
    schedule: '* * * * *',
    jwtAuthRole: 'backup',
    phase: 'Running',
    retention: { maxCount: 5, maxAge: '7d' },
    verifyImage: true,
    description:
      'healthy: a snapshot every minute (signed executor image, pinned by digest), retention keeps 5',
  },
  {
    kubernetesCluster: 'kind-west',
    namespace: 'openbao-staging',
    name: 'bao-staging',
    schedule: '*/2 * * * *',
    jwtAuthRole: 'backup-typo',
    phase: 'Running',
    description: 'failing: its JWT role does not exist in OpenBao',
  },
  {
    kubernetesCluster: 'kind-west',
    namespace: 'openbao-staging',
    name: 'bao-upgrading',
    // Every 2 minutes, like bao-staging: the refused slot is recorded early in the demo.
    schedule: '*/2 * * * *',
    jwtAuthRole: 'backup',
    phase: 'Running',
    upgrade: { fromVersion: '2.1.0', toVersion: '2.2.0' },
    description:
      'blocked: an upgrade is in progress, scheduled runs are refused',
  },
];
