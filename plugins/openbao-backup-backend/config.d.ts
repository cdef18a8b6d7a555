export interface Config {
  /** Configuration of the openbao-backup backend plugin. */
  openbaoBackup?: {
    /** Kubernetes API servers whose OpenBaoClusters are backed up. */
    kubernetes?: {
      clusters: Array<{
        /** Name used in URLs and in the `openbao.org/cluster` annotation (`<name>/<namespace>/<cluster>`). */
        name: string;
        /** API server URL, e.g. `https://10.0.0.1:6443`. Not used with `authProvider: inCluster`. */
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
    };
  };
}
