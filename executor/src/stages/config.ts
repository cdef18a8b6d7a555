import { parseConfig } from '../config/parseConfig';
import { OpenBaoHttp } from '../openbao/OpenBaoHttp';
import { createS3Client, StaticCredentials } from '../s3/createS3Client';
import { errorMessage, ExitCode, StageError } from '../StageError';
import type { Context, Stage } from '../types';

async function readOptional(
  ctx: Context,
  path: string,
): Promise<string | undefined> {
  return ctx.deps.exists(path) ? ctx.deps.readFile(path) : undefined;
}

/** Stage 1: env and mounted files → config, OpenBao HTTP client, S3 client. Exit 1. */
export const loadConfig: Stage = {
  name: 'config',
  exitCode: ExitCode.config,
  async run(ctx) {
    const { config, problems } = parseConfig(ctx.deps.env, ctx.deps.exists);
    if (!config) {
      throw new StageError(
        'config',
        ExitCode.config,
        `invalid configuration: ${problems.join('; ')}`,
      );
    }
    const read = async (what: string, path: string) => {
      try {
        return await ctx.deps.readFile(path);
      } catch (e) {
        throw new StageError(
          'config',
          ExitCode.config,
          `cannot read ${what} ${path}: ${errorMessage(e)}`,
        );
      }
    };
    const ca = config.tlsCaPath
      ? await read('OpenBao CA', config.tlsCaPath)
      : undefined;
    let credentials: StaticCredentials | undefined;
    if (config.storage.credentials.kind === 'static') {
      const dir = config.storage.credentials.path;
      credentials = {
        accessKeyId: (
          await read('credentials file', `${dir}/accessKeyId`)
        ).trim(),
        secretAccessKey: (
          await read('credentials file', `${dir}/secretAccessKey`)
        ).trim(),
        sessionToken:
          (await readOptional(ctx, `${dir}/sessionToken`))?.trim() || undefined,
      };
      if (!credentials.accessKeyId || !credentials.secretAccessKey) {
        throw new StageError(
          'config',
          ExitCode.config,
          `credentials in ${dir} are empty`,
        );
      }
      ctx.deps.log.addSecret(credentials.secretAccessKey);
      if (credentials.sessionToken)
        ctx.deps.log.addSecret(credentials.sessionToken);
    }
    const { storage } = config;
    // a custom S3 CA applies to web identity too (the credentials dir then holds only caCert)
    const caCert =
      (await readOptional(ctx, storage.caCertPath))?.trim() || undefined;
    ctx.deps.log.info('configuration loaded', {
      cluster: `${config.clusterNamespace}/${config.clusterName}`,
      addresses: config.addresses,
      authMethod: config.auth.method,
      bucket: storage.bucket,
      key: storage.key,
      endpoint: storage.endpoint ?? 'aws',
      partSize: storage.partSize,
      concurrency: storage.concurrency,
      credentials: storage.credentials.kind,
      customStorageCa: Boolean(caCert),
    });
    return {
      ...ctx,
      config,
      openbao: new OpenBaoHttp({ ca, timeouts: config.timeouts }),
      s3: createS3Client(storage, { credentials, caCert }),
    };
  },
};
