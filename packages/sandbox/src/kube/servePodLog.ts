import { ServerResponse } from 'node:http';
import { ObjectStore } from './ObjectStore';
import { StatusError, statusBodies } from './statusBodies';
import { KubeObject, ResourceType } from './types';

/** What the apiserver would read from the kubelet for `pods/<name>/log`. */
export interface PodLogSource {
  /** The container's log so far (and whether it is still running), or why it has not started. */
  podLog(
    pod: KubeObject,
  ): { log: string; running?: boolean } | { waiting: string };
}

/** `follow=true`: the log so far, then what the container writes, until it exits. */
function followLog(
  res: ServerResponse,
  source: PodLogSource,
  pod: KubeObject,
  initial: string,
  streams: Set<() => void>,
) {
  res.writeHead(200, {
    'Content-Type': 'text/plain',
    'Transfer-Encoding': 'chunked',
  });
  res.write(initial);
  let sent = initial.length;
  let timer: NodeJS.Timeout | undefined = undefined;
  const close = () => {
    clearInterval(timer);
    streams.delete(close);
    if (!res.writableEnded) res.end();
  };
  timer = setInterval(() => {
    const now = source.podLog(pod);
    if (now && 'log' in now) {
      if (now.log.length > sent) res.write(now.log.slice(sent));
      sent = now.log.length;
      if (now.running) return;
    }
    close();
  }, 100);
  streams.add(close);
  res.on('close', close);
}

/** `GET …/pods/<name>/log` with `tailLines`, `limitBytes` and `follow`. */
export function servePodLog(
  res: ServerResponse,
  o: {
    store: ObjectStore;
    logs?: PodLogSource;
    type: ResourceType;
    namespace: string;
    name: string;
    params: URLSearchParams;
    streams: Set<() => void>;
  },
) {
  const { store, logs, type, namespace, name, params: q, streams } = o;
  const pod = store.get(type, namespace, name);
  if (!pod) throw new StatusError(statusBodies.notFound(type, name));
  const container = q.get('container') ?? pod.spec?.containers?.[0]?.name;
  const current = logs?.podLog(pod) ?? { waiting: 'ContainerCreating' };
  if ('waiting' in current) {
    throw new StatusError(
      statusBodies.badRequest(
        `container "${container}" in pod "${name}" is waiting to start: ${current.waiting}`,
      ),
    );
  }
  if (q.get('follow') === 'true' && current.running && logs) {
    followLog(res, logs, pod, current.log, streams);
    return;
  }
  let log = current.log;
  const tail = Number(q.get('tailLines') ?? NaN);
  if (Number.isInteger(tail) && tail >= 0) {
    const lines = log.split('\n');
    const trailing = lines[lines.length - 1] === '' ? lines.pop() : undefined;
    log =
      lines.slice(Math.max(0, lines.length - tail)).join('\n') +
      (trailing !== undefined && tail > 0 ? '\n' : '');
  }
  const limitBytes = Number(q.get('limitBytes') ?? NaN);
  if (Number.isInteger(limitBytes) && limitBytes > 0)
    log = Buffer.from(log).subarray(0, limitBytes).toString('utf8');
  res.writeHead(200, { 'Content-Type': 'text/plain' });
  res.end(log);
}
