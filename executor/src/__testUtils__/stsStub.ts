import http from 'node:http';
import type net from 'node:net';

export interface StsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
}

export interface StsStub {
  url: string;
  /** The form fields of every request received (Action, RoleArn, WebIdentityToken, …). */
  readonly requests: Record<string, string>[];
  stop(): Promise<void>;
}

const xml = (s: string) =>
  s.replace(/[<>&]/g, c => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;' }[c]!));

/**
 * A local STS that answers AssumeRoleWithWebIdentity (the query protocol the SDK's web identity
 * provider speaks) with fixed credentials, recording what it was sent. Reach it through
 * AWS_ENDPOINT_URL_STS.
 */
export async function startStsStub(
  credentials: StsCredentials,
): Promise<StsStub> {
  const requests: Record<string, string>[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', c => (body += c));
    req.on('end', () => {
      const form = Object.fromEntries(new URLSearchParams(body));
      requests.push(form);
      if (form.Action !== 'AssumeRoleWithWebIdentity') {
        res
          .writeHead(400, { 'content-type': 'text/xml' })
          .end(
            `<ErrorResponse><Error><Type>Sender</Type><Code>InvalidAction</Code><Message>stub answers AssumeRoleWithWebIdentity only</Message></Error></ErrorResponse>`,
          );
        return;
      }
      const expiration = new Date(Date.now() + 3600_000).toISOString();
      res.writeHead(200, { 'content-type': 'text/xml' })
        .end(`<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleWithWebIdentityResult>
    <Credentials>
      <AccessKeyId>${xml(credentials.accessKeyId)}</AccessKeyId>
      <SecretAccessKey>${xml(credentials.secretAccessKey)}</SecretAccessKey>
      <SessionToken>${xml(credentials.sessionToken)}</SessionToken>
      <Expiration>${expiration}</Expiration>
    </Credentials>
    <SubjectFromWebIdentityToken>system:serviceaccount:ns1:c1-backup</SubjectFromWebIdentityToken>
    <AssumedRoleUser>
      <Arn>${xml(form.RoleArn ?? '')}/${xml(form.RoleSessionName ?? '')}</Arn>
      <AssumedRoleId>AROASTUB:${xml(form.RoleSessionName ?? '')}</AssumedRoleId>
    </AssumedRoleUser>
  </AssumeRoleWithWebIdentityResult>
  <ResponseMetadata><RequestId>stub-1</RequestId></ResponseMetadata>
</AssumeRoleWithWebIdentityResponse>`);
    });
  });
  await new Promise<void>(resolve =>
    server.listen(0, '127.0.0.1', () => resolve()),
  );
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    stop: () =>
      new Promise(resolve => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
