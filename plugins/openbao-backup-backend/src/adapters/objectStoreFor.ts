import { InputError } from '@backstage/errors';
import {
  DEFAULT_CA_SECRET_KEY,
  DEFAULT_REGION,
  OpenBaoCluster,
} from '@internal/plugin-openbao-backup-common';
import { KubeGateway } from './KubeGateway';
import { ObjectStore } from './ObjectStore';
import { S3ObjectStore } from './S3ObjectStore';

/** Opens the bucket of one cluster: a function so tests and the reconciler can swap it. */
export type ObjectStoreFactory = (
  gateway: KubeGateway,
  cluster: OpenBaoCluster,
) => Promise<ObjectStore>;

/**
 * The cluster's bucket with its static credentials (read from `credentialsSecretRef`), or the
 * backend's own default AWS credential chain for web identity clusters; trusting the CA of
 * `caSecretRef` (or else the credentials Secret's `caCert`) like the executor does.
 */
export const objectStoreFor: ObjectStoreFactory = async (gateway, cluster) => {
  const target = cluster.spec.backup?.target;
  const { namespace, name } = cluster.metadata;
  if (!target?.bucket) {
    throw new InputError(
      `${namespace}/${name} has no spec.backup.target.bucket`,
    );
  }
  let credentials;
  let caCert: string | undefined;
  const secretName = target.credentialsSecretRef?.name;
  if (secretName) {
    const data = await gateway.readSecretData(namespace, secretName);
    if (!data?.accessKeyId || !data?.secretAccessKey) {
      throw new InputError(
        `Secret ${namespace}/${secretName} is missing or lacks the keys accessKeyId and secretAccessKey`,
      );
    }
    credentials = {
      accessKeyId: data.accessKeyId,
      secretAccessKey: data.secretAccessKey,
      sessionToken: data.sessionToken || undefined,
    };
    caCert = data.caCert || undefined;
  }
  // Same precedence as the Job's credentials directory: the caSecretRef key wins.
  const ca = target.caSecretRef;
  if (ca?.name) {
    const caKey = ca.key || DEFAULT_CA_SECRET_KEY;
    caCert = (await gateway.readSecretData(namespace, ca.name))?.[caKey];
    if (!caCert) {
      throw new InputError(
        `Secret ${namespace}/${ca.name} (target.caSecretRef) is missing or lacks the key ${caKey}`,
      );
    }
  }
  return S3ObjectStore.create({
    bucket: target.bucket,
    region: target.region || DEFAULT_REGION,
    endpoint: target.endpoint,
    forcePathStyle: target.usePathStyle,
    credentials,
    caCert,
  });
};
