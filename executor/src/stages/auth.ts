import { openBaoErrorText } from '../openbao/OpenBaoHttp';
import { withOpenBaoTlsHint } from '../openbao/openBaoTlsHint';
import { errorMessage, ExitCode, StageError } from '../StageError';
import type { Stage } from '../types';

/**
 * Stage 2: get an OpenBao token, from the mounted token file or by a JWT login with the
 * projected service-account token. A refused login is exit 2; when no pod can serve the
 * login at all (unreachable, 5xx "no active node"), that is the leader's problem: exit 3.
 */
export const authenticate: Stage = {
  name: 'auth',
  exitCode: ExitCode.auth,
  async run(ctx) {
    const { config, deps } = ctx;
    if (!config || !ctx.openbao) throw new Error('config stage did not run');
    const { auth } = config;
    if (auth.method === 'token') {
      const token = (await deps.readFile(auth.tokenPath)).trim();
      if (!token)
        throw new StageError(
          'auth',
          ExitCode.auth,
          `token file ${auth.tokenPath} is empty`,
        );
      deps.log.addSecret(token);
      deps.log.info('using static token', { path: auth.tokenPath });
      return { ...ctx, token };
    }
    const jwt = (await deps.readFile(auth.jwtPath)).trim();
    if (!jwt)
      throw new StageError(
        'auth',
        ExitCode.auth,
        `JWT file ${auth.jwtPath} is empty`,
      );
    deps.log.addSecret(jwt);
    const unavailable: string[] = [];
    const failures: unknown[] = [];
    // Any pod can serve a login (standbys forward it); try them in order.
    for (const address of config.addresses) {
      let reply;
      try {
        reply = await ctx.openbao.json(
          `${address}/v1/auth/${auth.mount}/login`,
          {
            method: 'POST',
            body: JSON.stringify({ role: auth.role, jwt }),
            signal: ctx.signal,
          },
        );
      } catch (e) {
        failures.push(e);
        unavailable.push(`${address}: ${errorMessage(e)}`);
        continue;
      }
      if (reply.status >= 500 || reply.status === 429) {
        unavailable.push(
          `${address}: ${openBaoErrorText(reply.status, reply.body)}`,
        );
        continue;
      }
      const token = reply.body?.auth?.client_token;
      if (reply.status !== 200 || typeof token !== 'string' || !token) {
        throw new StageError(
          'auth',
          ExitCode.auth,
          `JWT login to auth/${auth.mount} with role "${
            auth.role
          }" refused by ${address}: ${openBaoErrorText(
            reply.status,
            reply.body,
          )}`,
        );
      }
      deps.log.addSecret(token);
      deps.log.info('logged in with JWT', {
        mount: auth.mount,
        role: auth.role,
        via: address,
        policies: reply.body?.auth?.policies,
      });
      return { ...ctx, token };
    }
    throw new StageError(
      'leader',
      ExitCode.leader,
      withOpenBaoTlsHint(
        `no OpenBao pod could serve the JWT login: ${unavailable.join('; ')}`,
        failures,
      ),
    );
  },
};
