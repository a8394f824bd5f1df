// A minimal JSON-lines logger (same line shape as the services' pino logs: level, time, service, msg). The dev
// IdP deliberately has no dependency on the service runtime; it must never log passwords, codes or tokens.
const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;
export type Level = (typeof LEVELS)[number];

export interface Log {
  (level: Level, msg: string, fields?: Record<string, unknown>): void;
}

export function createLog(minLevel: string, write: (line: string) => void = (line) => process.stdout.write(line)): Log {
  const min = Math.max(0, LEVELS.indexOf(minLevel as Level));
  return (level, msg, fields) => {
    if (LEVELS.indexOf(level) < min) return;
    write(`${JSON.stringify({ level, time: new Date().toISOString(), service: 'dev-idp', msg, ...fields })}\n`);
  };
}
