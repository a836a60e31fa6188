/**
 * Keyboard-mode card readers: a reader "types" the card's ID and Enter within a few
 * milliseconds a key; a person types much slower. DOM-free (keys and times are passed in),
 * unit-tested with node --test.
 *
 * A burst counts only when it started after a quiet moment: a reader whose keys were
 * delayed halfway (a busy tablet) would otherwise hand over the tail of its ID ("101" of
 * "1101"), and an ID that is not the card's makes the printer print a registration sheet.
 */

/** Longest pause between two keys of a reader's burst (ms). */
export const MAX_GAP = 50;
/** Shortest quiet time before a burst's first key (ms). */
export const QUIET = 250;
/** Fewest characters a reader's burst has before its Enter. */
export const MIN_LENGTH = 3;
/** Most characters of a card's ID (the server's limit for an ID). */
export const MAX_LENGTH = 128;

export class KeyBurst {
  constructor({ maxGap = MAX_GAP, quiet = QUIET, minLength = MIN_LENGTH } = {}) {
    this.maxGap = maxGap;
    this.quiet = quiet;
    this.minLength = minLength;
    this.text = "";
    this.clean = false;
    this.last = -Infinity;
  }

  /**
   * One keydown: returns the ID a reader typed when this key is the Enter that ends a fast
   * burst, else null. Keys that type nothing (Shift, ...) neither add to nor break a burst.
   */
  key(key, time) {
    const gap = time - this.last;
    if (key === "Enter") {
      const text = this.text;
      const burst =
        this.clean && gap <= this.maxGap && text.length >= this.minLength && text.length <= MAX_LENGTH;
      this.text = "";
      this.clean = false;
      this.last = -Infinity; // an Enter ends what came before: the next key may start a card
      return burst ? text : null;
    }
    if (typeof key !== "string" || key.length !== 1) return null;
    if (gap > this.maxGap) {
      this.text = "";
      this.clean = gap >= this.quiet;
    }
    this.text = (this.text + key).slice(0, MAX_LENGTH + 1);
    this.last = time;
    return null;
  }
}
