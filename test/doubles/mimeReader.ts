/**
 * Reads a MIME message back as a mail client would: headers unfolded and their RFC 2047 encoded words
 * decoded, a multipart body split at its boundary, each part's transfer encoding undone. Written apart
 * from src/notify (it shares no code with the writer), so a test that parses what the monitor sent
 * checks the writer rather than repeating it.
 */

export interface MimePart {
  headers: Map<string, string>;
  /** The raw header lines, before unfolding, for line-length checks. */
  rawHeaderLines: string[];
  body: string;
}

export interface ParsedMail extends MimePart {
  parts: MimePart[];
}

function decodeWord(charset: string, encoding: string, text: string): string {
  if (!/^utf-8$/i.test(charset)) throw new Error(`unexpected charset ${charset}`);
  if (/^b$/i.test(encoding)) return Buffer.from(text, 'base64').toString('utf8');
  const bytes = text.replace(/_/g, ' ').replace(/=([0-9A-Fa-f]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  return Buffer.from(bytes, 'latin1').toString('utf8');
}

/** RFC 2047: encoded words decoded; whitespace between two adjacent encoded words dropped. */
export function decodeHeaderValue(value: string): string {
  const word = /=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g;
  return value.replace(/(=\?[^?]+\?[BbQq]\?[^?]*\?=)\s+(?==\?)/g, '$1').replace(word, (_m, charset: string, encoding: string, text: string) => decodeWord(charset, encoding, text));
}

function splitHead(text: string): { head: string; body: string } {
  const at = text.indexOf('\r\n\r\n');
  if (at < 0) throw new Error('no blank line after the headers (lines must end in CRLF)');
  return { head: text.slice(0, at), body: text.slice(at + 4) };
}

function readPart(text: string): MimePart {
  const { head, body } = splitHead(text);
  const rawHeaderLines = head.split('\r\n');
  const headers = new Map<string, string>();
  let last: string | null = null;
  for (const line of rawHeaderLines) {
    if (/^[ \t]/.test(line)) {
      if (last === null) throw new Error('a folded line before any header');
      headers.set(last, `${headers.get(last)!}${line}`);
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) throw new Error(`not a header line: ${line}`);
    last = line.slice(0, colon).toLowerCase();
    if (headers.has(last)) throw new Error(`header ${last} appears twice`);
    headers.set(last, line.slice(colon + 1).trim());
  }
  for (const [name, value] of headers) headers.set(name, decodeHeaderValue(value));
  const encoding = headers.get('content-transfer-encoding')?.toLowerCase();
  return { headers, rawHeaderLines, body: encoding === 'base64' ? Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8') : body };
}

/** A whole message: its headers, and for multipart/* each part, decoded. */
export function readMail(mime: string): ParsedMail {
  const top = readPart(mime);
  const boundary = /boundary="?([^";]+)"?/i.exec(top.headers.get('content-type') ?? '')?.[1];
  if (boundary === undefined) return { ...top, parts: [] };
  const sections = top.body.split(`--${boundary}`);
  if (!/^--\r\n?$/.test(sections[sections.length - 1] ?? '')) throw new Error('the closing boundary is missing');
  const parts = sections.slice(1, -1).map((s) => readPart(s.replace(/^\r\n/, '').replace(/\r\n$/, '')));
  return { ...top, parts };
}

/** The part of a given content type (text/plain, text/html), or null. */
export function partOf(mail: ParsedMail, type: string): MimePart | null {
  return mail.parts.find((p) => (p.headers.get('content-type') ?? '').toLowerCase().startsWith(type)) ?? null;
}
