import { HumanDuration } from '@backstage/types';

export interface Config {
  /** Configuration of the openbao-backup backend plugin. */
  openbaoBackup?: {
    /** Kubernetes API servers whose OpenBaoClusters are backed up. Same shape as the Backstage kubernetes plugin's clusters. */
    kubernetes?: {
      clusters: Array<{
        /** Name used in URLs and in the `openbao.org/cluster` annotation (`[<name>/]<namespace>/<openbao-cluster>`). */
        name: string;
        /** API server URL, e.g. `https://10.0.0.1:6443`. Not used with `authProvider: inCluster` or `kubeconfig`. */
        url?: string;
        /**
         * Base64 PEM of the API server's CA.
         * @visibility secret
         */
        caData?: string;
        /**
         * Path to the API server's CA file.
         * @visibility secret
         */
        caFile?: string;
        /** Skip TLS verification of the API server (never in production). Default false. */
        skipTLSVerify?: boolean;
        /** `serviceAccount` (token below), `kubeconfig` (current context of $KUBECONFIG) or `inCluster`. Default `serviceAccount`. */
        authProvider?: 'serviceAccount' | 'kubeconfig' | 'inCluster';
        /**
         * Bearer token for `authProvider: serviceAccount`.
         * @visibility secret
         */
        serviceAccountToken?: string;
        /** Namespaces to watch; default all namespaces. */
        namespaces?: string[];
      }>;
      /** Cluster used for annotation items without a `<kubernetes-cluster>/` part. Default: the first cluster. */
      defaultCluster?: string;
      /**
       * Deadline of every request to an API server (connect, TLS, answer and body), and of a watch's
       * establishment (until its response headers; the stream itself has none): an API server that
       * accepts connections and never answers fails the request with a message naming it, and a watch
       * is retried. Default 30 seconds.
       */
      requestTimeout?: HumanDuration | string;
      /**
       * Deadline of one API server's part of a reconcile pass: past it the pass ends without waiting for
       * that server (its clusters are reported unreachable and retried next pass), so one slow or hung API
       * server never holds up the clusters of the others. Default 2 minutes.
       */
      passTimeout?: HumanDuration | string;
    };
    /** How often a full reconcile pass (every cluster, Job tracking, health) runs, across all replicas. Default 15 seconds. */
    reconcileInterval?: HumanDuration | string;
    /**
     * How often the reconcile task runs in between: a light pass over the clusters the watch flagged (a
     * trigger, an edited schedule, a slot that has come); it is also the scheduler's database poll, hence
     * the delay of a manual trigger. Default 1 second; capped at `reconcileInterval`.
     */
    lightPassInterval?: HumanDuration | string;
    /** A missed slot still starts when at most this late; later it is skipped with a reason. Default 1 hour. */
    startingDeadline?: HumanDuration | string;
    /** How long a backup Pod may wait for its image before the run counts as failed. Default 5 minutes. */
    podStartTimeout?: HumanDuration | string;
    /** Settings of the backup Jobs. */
    job?: {
      /** Audience of the projected service-account token the executor logs in to OpenBao with. Default `openbao-internal`. */
      tokenAudience?: string;
      /** Pod URLs of a cluster; `{cluster}`, `{namespace}` and `{i}` (0..replicas-1) are replaced. Default `https://{cluster}-{i}.{cluster}.{namespace}.svc:8200`. */
      addressTemplate?: string;
      /** `imagePullPolicy` of the executor container. Default `IfNotPresent`. */
      imagePullPolicy?: 'Always' | 'IfNotPresent' | 'Never';
      /**
       * Honour the `openbao.org/backup-addresses` annotation (pod URLs for the executor). Default false:
       * anyone who can edit an OpenBaoCluster could otherwise point the executor and its token at any host.
       */
      allowAddressOverride?: boolean;
      /**
       * The executor's `BACKUP_STATE_CHECKSUM_METADATA`. `skip` (default): multipart objects (larger
       * than one part) carry no `openbao-state-sha256` key; the checksum stays in the result, in
       * `status.backup` and in the object's own `SHA256SUMS`. `copy`: the executor adds the key by a
       * server-side self-copy, a second full write by the store (objects up to 5 GiB).
       */
      stateChecksumMetadata?: 'skip' | 'copy';
    };
    /** Executor image verification for clusters with `spec.imageVerification.enabled` (docs/image-verification.md). */
    imageVerification?: {
      /**
       * Path to a Sigstore `trusted_root.json` for keyless verification (`issuer` + `subject`); read once
       * at start, never fetched. Without it keyless clusters fail verification with a reason.
       */
      trustedRootFile?: string;
      /** Valid SCTs a keyless certificate needs. Default 1 (the public Sigstore); 0 for a private CA without a CT log. */
      ctlogThreshold?: number;
      /** How long a tag's digest is reused before the registry is asked again. Default 5 minutes. */
      tagCacheTtl?: HumanDuration | string;
      /** How long a verified digest stays verified. Default 1 hour. */
      verifiedCacheTtl?: HumanDuration | string;
    };
    /** Health thresholds (docs/architecture.md#health). */
    health?: {
      /** A cluster is stale when its last success is older than expected interval × factor + grace. Default factor 1. */
      staleFactor?: number;
      /** Added to interval × staleFactor before a cluster counts as stale. Default 1 hour. */
      grace?: HumanDuration | string;
    };
  };
}
