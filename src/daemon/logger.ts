// Daemon logging: human lines or JSON objects, with levels, and a
// rate-limited path for things that can repeat per packet (a wrong key, a
// bad checksum) so that a hostile or broken neighbour cannot flood the log.

export const LogLevels = ['debug', 'info', 'notice', 'warning', 'error'] as const;
export type LogLevel = (typeof LogLevels)[number];

/** FRR/syslog level names as written in `log stdout LEVEL`, mapped to ours. */
const levelAliases: Record<string, LogLevel> = {
  debug: 'debug',
  debugging: 'debug',
  info: 'info',
  informational: 'info',
  notice: 'notice',
  notifications: 'notice',
  warning: 'warning',
  warnings: 'warning',
  warn: 'warning',
  error: 'error',
  errors: 'error',
  critical: 'error',
  alerts: 'error',
  emergencies: 'error',
};

/** A level name (ours or FRR's), or undefined when it is not one. */
export function parseLogLevel(name: string): LogLevel | undefined {
  return levelAliases[name.toLowerCase()];
}

export type LogFormat = 'text' | 'json';
export type LogFields = Record<string, string | number | boolean | undefined>;

export interface LoggerOptions {
  level: LogLevel;
  format: LogFormat;
  /** Where finished lines go (without the newline). */
  write: (line: string) => void;
  /** Wall clock for timestamps; injectable for tests. */
  now?: () => Date;
}

interface LimitState {
  lastLogged: number;
  suppressed: number;
}

export class Logger {
  private readonly rank: number;
  private readonly limits: Map<string, LimitState>;

  constructor(
    private readonly options: LoggerOptions,
    private readonly context: LogFields = {},
    limits?: Map<string, LimitState>,
  ) {
    this.rank = LogLevels.indexOf(options.level);
    this.limits = limits ?? new Map();
  }

  /** A logger that adds `fields` to every line (e.g. { component: 'anycast' }). */
  child(fields: LogFields): Logger {
    return new Logger(this.options, { ...this.context, ...fields }, this.limits);
  }

  enabled(level: LogLevel): boolean {
    return LogLevels.indexOf(level) >= this.rank;
  }

  debug(message: string, fields?: LogFields): void {
    this.log('debug', message, fields);
  }
  info(message: string, fields?: LogFields): void {
    this.log('info', message, fields);
  }
  notice(message: string, fields?: LogFields): void {
    this.log('notice', message, fields);
  }
  warning(message: string, fields?: LogFields): void {
    this.log('warning', message, fields);
  }
  error(message: string, fields?: LogFields): void {
    this.log('error', message, fields);
  }

  /**
   * Log at most once per `intervalMs` for the same key; the next line that
   * gets through says how many were held back in between.
   */
  limited(key: string, level: LogLevel, message: string, fields: LogFields = {}, intervalMs = 60_000): void {
    if (!this.enabled(level)) return;
    const at = (this.options.now?.() ?? new Date()).getTime();
    const state = this.limits.get(key);
    if (state && at - state.lastLogged < intervalMs) {
      state.suppressed++;
      return;
    }
    const suppressed = state?.suppressed ?? 0;
    this.limits.set(key, { lastLogged: at, suppressed: 0 });
    this.log(level, message, suppressed > 0 ? { ...fields, suppressed } : fields);
  }

  log(level: LogLevel, message: string, fields: LogFields = {}): void {
    if (!this.enabled(level)) return;
    const time = (this.options.now?.() ?? new Date()).toISOString();
    const all: LogFields = { ...this.context, ...fields };
    if (this.options.format === 'json') {
      const record: Record<string, unknown> = { time, level, msg: message };
      for (const [k, v] of Object.entries(all)) if (v !== undefined) record[k] = v;
      this.options.write(JSON.stringify(record));
      return;
    }
    let line = `${time} ${level.padEnd(7)} ${message}`;
    for (const [k, v] of Object.entries(all)) {
      if (v === undefined) continue;
      const text = String(v);
      line += ` ${k}=${/[\s"=]/.test(text) ? JSON.stringify(text) : text}`;
    }
    this.options.write(line);
  }
}

/** A logger writing to a stream such as process.stdout. */
export function streamLogger(stream: { write(chunk: string): unknown }, level: LogLevel = 'info', format: LogFormat = 'text'): Logger {
  return new Logger({ level, format, write: (line) => stream.write(line + '\n') });
}
