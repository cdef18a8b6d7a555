import { IncomingMessage, ServerResponse } from 'node:http';
import { StatusBody, StatusError, statusBodies } from './statusBodies';

export const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

export function sendJson(
  res: ServerResponse,
  code: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(code, {
    'Content-Type': 'application/json',
    'Cache-Control': 'no-cache, private',
    ...headers,
  });
  res.end(text);
}

export function sendStatus(
  res: ServerResponse,
  body: StatusBody,
  headers: Record<string, string> = {},
) {
  sendJson(res, body.code, body, headers);
}

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export function parseJson(text: string): any {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new StatusError(
      statusBodies.badRequest(
        `error decoding request body: ${(e as Error).message}`,
      ),
    );
  }
}
