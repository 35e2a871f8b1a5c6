/**
 * Key hygiene for everything a provider sends that reaches a client: any occurrence of a configured key, or of the
 * first 8 or more of its characters, becomes `[redacted]`. Providers quote keys in error bodies, and a model can be
 * made to echo one; a prefix of 8 is where a provider's "sk-abc12...xyz" quoting already narrows a key down. Works on
 * a stream split anywhere: text that may be the start of a key is held back until the next piece shows otherwise.
 */

export const REDACTED = '[redacted]';
/** How many leading characters of a key already count as the key. */
export const KEY_PREFIX_CHARS = 8;

export class Redactor {
  readonly #secrets: readonly string[];
  /** The part of each secret whose presence starts a match. */
  readonly #probes: readonly string[];
  #held = '';

  constructor(secrets: readonly string[]) {
    this.#secrets = [...new Set(secrets.filter((secret) => secret !== ''))];
    this.#probes = this.#secrets.map((secret) => secret.slice(0, KEY_PREFIX_CHARS));
  }

  /** True when there is nothing to redact: no keys are configured. */
  get idle(): boolean {
    return this.#secrets.length === 0;
  }

  /** The whole of `text`, redacted (no stream: nothing is held back). */
  redact(text: string): string {
    return new Redactor(this.#secrets).push(text, true);
  }

  /** The next piece of a stream; returns what can be sent now. `last` releases whatever was held back. */
  push(text: string, last = false): string {
    const buffer = this.#held + text;
    this.#held = '';
    if (this.#secrets.length === 0) return buffer;
    let out = '';
    let position = 0;
    for (;;) {
      let matchAt = -1;
      let matchLength = 0;
      let matchSecret = '';
      for (const [index, probe] of this.#probes.entries()) {
        const at = buffer.indexOf(probe, position);
        if (at === -1 || (matchAt !== -1 && at > matchAt)) continue;
        const secret = this.#secrets[index]!;
        let length = probe.length;
        while (length < secret.length && at + length < buffer.length && buffer[at + length] === secret[length])
          length += 1;
        if (at < matchAt || matchAt === -1 || length > matchLength) {
          matchAt = at;
          matchLength = length;
          matchSecret = secret;
        }
      }
      if (matchAt === -1) break;
      if (!last && matchAt + matchLength === buffer.length && matchLength < matchSecret.length) {
        // The key may go on in the next piece: hold the match back so the whole of it is redacted at once.
        this.#held = buffer.slice(matchAt);
        return out + buffer.slice(position, matchAt);
      }
      out += buffer.slice(position, matchAt) + REDACTED;
      position = matchAt + matchLength;
    }
    let holdFrom = buffer.length;
    if (!last) {
      for (const probe of this.#probes) {
        for (let length = Math.min(probe.length - 1, buffer.length - position); length > 0; length -= 1) {
          if (buffer.endsWith(probe.slice(0, length))) {
            holdFrom = Math.min(holdFrom, buffer.length - length);
            break;
          }
        }
      }
    }
    this.#held = buffer.slice(holdFrom);
    return out + buffer.slice(position, holdFrom);
  }

  /** True when `text` holds a key or the start of one. */
  matches(text: string): boolean {
    return this.#probes.some((probe) => text.includes(probe));
  }
}
