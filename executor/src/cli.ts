import { createLogger } from './log';
import { main } from './main';

// Last line of defence: an error that escapes the pipeline is still one JSON log line and a
// non-zero exit, never a stack trace on stdout (which carries only the result line).
const die = (e: unknown) => {
  createLogger().error('executor crashed', {
    error: e instanceof Error ? e.message : String(e),
  });
  process.exit(1);
};
process.on('uncaughtException', die);
main().catch(die);
