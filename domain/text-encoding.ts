/**
 * The character set of an uploaded text file: decoded as declared, detected when not declared,
 * refused when it cannot be decoded — never stored as mojibake (乱码). Hotline systems export
 * GBK/GB18030 as often as UTF-8, and Taiwanese or Hong Kong sources Big5.
 *
 * Streamed: only the first PROBE_BYTES are looked at before deciding; the rest is decoded as it
 * arrives. Bytes invalid in the chosen charset come out as U+FFFD (the replacement character),
 * which the import refuses row by row (domain/ticket-import.ts).
 */
import iconv from 'iconv-lite';
import { analyse } from 'chardet';

/** What detection and the check of a declared charset look at: the first 64 KiB. */
const PROBE_BYTES = 64 * 1024;
/** How sure the detector must be (0–100) before a body that is not UTF-8 is decoded as its guess. */
const MIN_DETECTION_CONFIDENCE = 50;

export const REPLACEMENT_CHARACTER = '\uFFFD';

/** The charsets a client may declare, and the decoder of each (GBK and GB2312 are subsets of GB18030). */
const DECLARABLE: Record<string, string> = {
  'utf-8': 'utf8',
  utf8: 'utf8',
  'utf-16': 'utf16',
  'utf-16le': 'utf16le',
  'utf-16be': 'utf16be',
  gbk: 'gb18030',
  gb2312: 'gb18030',
  gb18030: 'gb18030',
  big5: 'big5',
};
export const DECLARABLE_CHARSETS = Object.keys(DECLARABLE);
/** What detection may choose for a body that is not UTF-8 (names as the detector gives them). */
const DETECTABLE: Record<string, string> = { GB18030: 'gb18030', Big5: 'big5' };

/** Double-byte charsets in which UTF-8 text would decode without error, as mojibake. */
const DOUBLE_BYTE = new Set(['gb18030', 'big5']);

/** A declared charset this server does not decode → 415. */
export class UnsupportedCharset extends Error {
  constructor(readonly charset: string) {
    super(`charset '${charset}' is not supported; declare one of ${DECLARABLE_CHARSETS.join(', ')}`);
  }
}

/** No charset declared, not UTF-8, and no confident guess → 415. */
export class UndetectedCharset extends Error {
  constructor() {
    super(`the body is not UTF-8 and its charset could not be recognized; declare it in Content-Type, e.g. charset=gb18030 (one of ${DECLARABLE_CHARSETS.join(', ')})`);
  }
}

/** Bytes at the start of the body that are not valid in the charset chosen for it → 400. */
export class InvalidBytes extends Error {
  constructor(
    readonly charset: string,
    readonly line: number,
  ) {
    super(`line ${line} is not valid ${charset}: it holds bytes that cannot be decoded (or a U+FFFD replacement character); declare the file's real charset`);
  }
}

/** A body declared in a double-byte charset (GBK, Big5) that is UTF-8 text → 400. */
export class DeclaredCharsetMismatch extends Error {
  constructor(
    readonly charset: string,
    readonly line: number,
  ) {
    super(`line ${line} is UTF-8, not ${charset} as declared: declare charset=utf-8, or send it without a charset`);
  }
}

export interface DecodedText {
  /** the charset the body is decoded from, e.g. utf-8, gbk, gb18030 */
  charset: string;
  /** true when no charset was declared and the body was recognized as `charset` */
  detected: boolean;
  text: AsyncIterable<string>;
}

function declaredCodec(charset: string): { charset: string; codec: string } {
  const codec = DECLARABLE[charset];
  if (!codec) throw new UnsupportedCharset(charset);
  return { charset, codec };
}

function isUtf8(probe: Buffer, complete: boolean): boolean {
  try {
    // streaming: a character cut at the end of the probe is not an error
    new TextDecoder('utf-8', { fatal: true }).decode(probe, { stream: !complete });
    return true;
  } catch {
    return false;
  }
}

/** A byte-order mark names its charset; else valid UTF-8 is UTF-8; else the detector's confident guess. */
function detectedCodec(probe: Buffer, complete: boolean): { charset: string; codec: string; detected: boolean } {
  if (probe[0] === 0xff && probe[1] === 0xfe) return { charset: 'utf-16le', codec: 'utf16le', detected: true };
  if (probe[0] === 0xfe && probe[1] === 0xff) return { charset: 'utf-16be', codec: 'utf16be', detected: true };
  if (isUtf8(probe, complete)) return { charset: 'utf-8', codec: 'utf8', detected: false };
  const [best] = analyse(probe);
  const charset = best && best.confidence >= MIN_DETECTION_CONFIDENCE ? DETECTABLE[best.name] : undefined;
  if (!charset) throw new UndetectedCharset();
  return { charset, codec: charset, detected: true };
}

/** The line a position is on, given the text before it. */
const lineOf = (before: string) => before.split('\n').length;

/**
 * Decodes a stream of bytes into text: in `declared` (a Content-Type charset, lower case) when
 * given, else in what the start of the body shows. Throws UnsupportedCharset, UndetectedCharset,
 * DeclaredCharsetMismatch or InvalidBytes (for the first PROBE_BYTES) before any text is given out.
 */
export async function decodeText(chunks: AsyncIterable<Uint8Array>, declared?: string): Promise<DecodedText> {
  const source = chunks[Symbol.asyncIterator]();
  const head: Buffer[] = [];
  let size = 0;
  let complete = false;
  while (size < PROBE_BYTES) {
    const next = await source.next();
    if (next.done) {
      complete = true;
      break;
    }
    head.push(Buffer.from(next.value));
    size += next.value.length;
  }
  const probe = Buffer.concat(head);
  const chosen = declared === undefined ? detectedCodec(probe, complete) : { ...declaredCodec(declared), detected: false };
  // UTF-8 read as GBK or Big5 is mostly "valid" mojibake; GBK or Big5 text that is also valid UTF-8 is vanishingly rare
  const firstNonAscii = probe.findIndex((b) => b >= 0x80);
  if (DOUBLE_BYTE.has(chosen.codec) && firstNonAscii >= 0 && isUtf8(probe, complete)) {
    throw new DeclaredCharsetMismatch(chosen.charset, lineOf(probe.subarray(0, firstNonAscii).toString('latin1')));
  }
  const decoder = iconv.getDecoder(chosen.codec);
  const first = decoder.write(probe);
  const invalid = first.indexOf(REPLACEMENT_CHARACTER);
  if (invalid >= 0) throw new InvalidBytes(chosen.charset, lineOf(first.slice(0, invalid)));

  async function* text(): AsyncGenerator<string> {
    if (first) yield first;
    while (!complete) {
      const next = await source.next();
      if (next.done) break;
      const part = decoder.write(Buffer.from(next.value));
      if (part) yield part;
    }
    // bytes of a character cut off at the very end come out as U+FFFD
    const last = decoder.end();
    if (last) yield last;
  }
  return { charset: chosen.charset, detected: chosen.detected, text: text() };
}
