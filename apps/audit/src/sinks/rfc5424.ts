/** RFC 5424 header fields are PRINTUSASCII (33–126) with a length cap; "-" is the nil value. */
export function headerField(value: string, maxLength: number): string {
  const clean = value.replace(/[^\x21-\x7e]/g, '').slice(0, maxLength);
  return clean === '' ? '-' : clean;
}

/** CEF severity 0–10 → syslog severity (RFC 5424 §6.2.1: 2 critical, 4 warning, 5 notice, 6 informational). */
export function syslogSeverity(cefSeverity: number): number {
  if (cefSeverity >= 9) return 2;
  if (cefSeverity >= 7) return 4;
  if (cefSeverity >= 4) return 5;
  return 6;
}

export interface SyslogHeader {
  facility: number;
  severity: number;
  /** RFC 3339; an unparsable value falls back to the time of sending. */
  timestamp: string;
  hostname: string;
  appName: string;
  procId: string;
  msgId: string;
}

/**
 * `<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID - MSG` with no structured data. MSG goes out as MSG-ANY
 * (UTF-8 without the BOM RFC 5424 asks of MSG-UTF8), because CEF receivers expect the message to start
 * with `CEF:`.
 */
export function formatRfc5424(header: SyslogHeader, msg: string): string {
  const pri = header.facility * 8 + header.severity;
  const parsed = Date.parse(header.timestamp);
  const time = new Date(Number.isFinite(parsed) ? parsed : Date.now()).toISOString();
  return [
    `<${pri}>1`,
    time,
    headerField(header.hostname, 255),
    headerField(header.appName, 48),
    headerField(header.procId, 128),
    headerField(header.msgId, 32),
    '-',
    msg,
  ].join(' ');
}

/** RFC 5425 §4.3 octet-counted framing: `MSG-LEN SP SYSLOG-MSG`, the length in bytes, not characters. */
export function frameOctetCounted(message: string): Buffer {
  const body = Buffer.from(message, 'utf8');
  return Buffer.concat([Buffer.from(`${body.length} `, 'ascii'), body]);
}
