/** Structured JSON logs on stderr; values registered as secrets are masked everywhere. */
export interface Logger {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  /** Masks this value in every later line. */
  addSecret(value: string): void;
  redact(text: string): string;
}

export function createLogger(
  write: (line: string) => void = l => process.stderr.write(l),
): Logger {
  const secrets = new Set<string>();
  const redact = (text: string) => {
    let out = text;
    for (const s of secrets) out = out.split(s).join('[redacted]');
    return out;
  };
  const emit = (level: string, msg: string, fields?: Record<string, unknown>) =>
    write(
      `${redact(
        JSON.stringify({
          time: new Date().toISOString(),
          level,
          msg,
          ...fields,
        }),
      )}\n`,
    );
  return {
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    addSecret: v => {
      if (v && v.length >= 4) secrets.add(v);
    },
    redact,
  };
}
