/** Faults the double injects; `setFaults` replaces the whole set (`setFaults({})` clears). */
export interface OpenBaoFaults {
  /** Cut the snapshot body after this many (gzip) bytes. */
  truncateAfterBytes?: number;
  /** `reset` destroys the socket (the client sees an aborted body); `end` ends the chunked body cleanly. */
  truncateMode?: 'reset' | 'end';
  /** Stop sending the snapshot body after this many bytes, keeping the connection open. */
  stallAfterBytes?: number;
  /** Write a wrong `state.bin` line in `SHA256SUMS`. */
  wrongChecksum?: boolean;
  /** Leave `SHA256SUMS` out of the snapshot. */
  omitChecksums?: boolean;
  /** Append bytes that are not gzip after the end of the gzip stream. */
  trailingGarbage?: boolean;
  /** After this many bytes, leadership moves to the next pod and the stream is cut. */
  leaderChangeAfterBytes?: number;
  /** Send the snapshot body at most this fast (a slow link / slow reader). */
  rateLimitBytesPerSecond?: number;
  /** No active node: health 429 everywhere, empty leader address, 503 on snapshot and login. */
  noLeader?: boolean;
  /** Every pod (the leader too) answers a snapshot request with a 307 to this URL. */
  redirectTo?: string;
  /** Delay every response by this many milliseconds. */
  latencyMs?: number;
}

/** A JWT auth role on a mount (`auth/<mount>/role/<name>`). */
export interface OpenBaoJwtRole {
  /** Auth mount path, default `jwt`. */
  mount?: string;
  name: string;
  /** Required `aud` claim, default `openbao-internal`. */
  audience?: string;
  /** `namespace/serviceAccount` pairs allowed to log in (`*` for any); default any. */
  boundServiceAccounts?: string[];
  /** Policies attached to tokens issued by this role, default `['snapshot']`. */
  policies?: string[];
}

/** Snapshot content served by the leader. */
export interface OpenBaoSnapshotOptions {
  /** Size of `state.bin`, default 4 MiB. */
  stateSize?: number;
  /** Raft index/term in `meta.json`, default 4242/3. */
  index?: number;
  term?: number;
  /** Include `SHA256SUMS.sealed`, default true. */
  sealed?: boolean;
  /** Seed of the deterministic content, default `openbao-double`. */
  seed?: string;
  /** gzip level 0–9, default 6 (what OpenBao uses); lower it for multi-GiB runs. */
  compressionLevel?: number;
}

export interface OpenBaoClusterOptions {
  /** Number of pods, default 3. */
  pods?: number;
  /** Index of the active pod, default 1 (deliberately not the first). */
  leaderIndex?: number;
  /** Serve HTTPS with a freshly generated CA (exposed as `caCertPem`), default false. */
  tls?: boolean;
  /** Host to bind and to put in addresses, default `127.0.0.1`. */
  host?: string;
  snapshot?: OpenBaoSnapshotOptions;
  jwtRoles?: OpenBaoJwtRole[];
  /** Static tokens → policy names. */
  tokens?: Record<string, string[]>;
  /** Extra policies: name → path → capabilities (`snapshot` and `root` are built in). */
  policies?: Record<string, Record<string, string[]>>;
  faults?: OpenBaoFaults;
  /**
   * Also accept JWTs that this function verifies (returns the claims or throws), e.g. the
   * sandbox's `ServiceAccountTokenIssuer.verify`, so tokens projected by the Job runner's own
   * issuer log in too. Audience and bound service account are still checked by the role.
   */
  verifyJwt?: (token: string) => unknown;
}

/** One snapshot request the leader served, for assertions. */
export interface OpenBaoSnapshotRecord {
  pod: number;
  bytesSent: number;
  /** True when the whole body was sent. */
  completed: boolean;
  stateSha256?: string;
  metaSha256?: string;
}

export interface IssueJwtOptions {
  namespace: string;
  serviceAccount: string;
  /** `aud` claim, default `openbao-internal`. */
  audience?: string;
  /** Lifetime, default 3600 s. */
  ttlSeconds?: number;
}

export interface OpenBaoClusterHandle {
  /** Base URLs of the pods, e.g. `https://127.0.0.1:40123`, in pod order. */
  addresses: string[];
  /** Index of the active pod, or -1 when none. */
  readonly leaderIndex: number;
  /** PEM of the CA that signed the pods' certificates (TLS only). */
  caCertPem?: string;
  /** A service-account JWT the double's JWT auth accepts (signed by the double). */
  issueJwt(options: IssueJwtOptions): string;
  /** Registers a static token with the given policies. */
  addToken(token: string, policies: string[]): void;
  addJwtRole(role: OpenBaoJwtRole): void;
  setFaults(faults: OpenBaoFaults): void;
  setLeader(index: number): void;
  setSealed(index: number, sealed: boolean): void;
  /** Snapshot requests served so far. */
  snapshots: OpenBaoSnapshotRecord[];
  stop(): Promise<void>;
}
