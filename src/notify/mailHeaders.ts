/**
 * Mail header lines as RFC 5322 and RFC 2047 want them: folded at whitespace so no line is longer than
 * 78 characters, and text that is not plain ASCII (or has a word too long to fold) carried in encoded
 * words of at most 75 characters, each holding whole UTF-8 characters.
 */

export const MAX_HEADER_LINE = 78;
export const MAX_ENCODED_WORD = 75;

/** `=?UTF-8?B?` and `?=`. */
const ENCODED_WORD_OVERHEAD = '=?UTF-8?B??='.length;

/**
 * `text`: an unstructured value (Subject), encoded when it must be. `addresses`: a structured value
 * (addresses, dates, ids) that is ASCII by validation; it is only folded, never encoded.
 */
export type HeaderKind = 'text' | 'addresses';

/** Line breaks and other control characters never reach a header: they could start a new one. */
function oneLine(value: string): string {
  return value.replace(/[\x00-\x1f\x7f]+/g, ' ').replace(/ {2,}/g, ' ').trim();
}

/** Words after `Name:`, each line at most MAX_HEADER_LINE when the words allow it. */
function fold(name: string, words: readonly string[]): string[] {
  const lines: string[] = [];
  let line = `${name}:`;
  let empty = true;
  for (const word of words) {
    if (!empty && line.length + 1 + word.length > MAX_HEADER_LINE) {
      lines.push(line);
      line = ` ${word}`;
    } else {
      line += ` ${word}`;
    }
    empty = false;
  }
  lines.push(line);
  return lines;
}

function encodedLength(text: string): number {
  return ENCODED_WORD_OVERHEAD + Math.ceil(Buffer.byteLength(text, 'utf8') / 3) * 4;
}

function encode(text: string): string {
  return `=?UTF-8?B?${Buffer.from(text, 'utf8').toString('base64')}?=`;
}

/**
 * The text as encoded words: the first sized to fit on the line after `Name: `, the others on lines of
 * their own. Split between characters (code points), never inside one, as RFC 2047 requires. Spaces go
 * inside the words, since a reader drops the whitespace between two encoded words.
 */
export function encodedWords(text: string, firstLineUsed: number): string[] {
  const words: string[] = [];
  let budget = Math.min(MAX_ENCODED_WORD, MAX_HEADER_LINE - firstLineUsed - 1);
  let chunk = '';
  for (const ch of text) {
    if (chunk !== '' && encodedLength(chunk + ch) > budget) {
      words.push(encode(chunk));
      chunk = '';
      budget = Math.min(MAX_ENCODED_WORD, MAX_HEADER_LINE - 1);
    }
    chunk += ch;
  }
  if (chunk !== '' || words.length === 0) words.push(encode(chunk));
  return words;
}

/** One header, folded (CRLF + space) and, for text that needs it, encoded. */
export function mailHeader(name: string, value: string, kind: HeaderKind = 'text'): string {
  const clean = oneLine(value);
  const plain = fold(name, clean.split(' '));
  const fits = plain.every((l) => l.length <= MAX_HEADER_LINE);
  // Plain text that looks like an encoded word would be decoded by the reader: encode it instead.
  const needsEncoding = kind === 'text' && (!/^[\x20-\x7e]*$/.test(clean) || clean.includes('=?') || !fits);
  if (!needsEncoding) return plain.join('\r\n');
  return fold(name, encodedWords(clean, name.length + 1)).join('\r\n');
}
