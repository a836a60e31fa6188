/**
 * Keyboard-mode card readers: a reader "types" the card's ID and Enter within a few
 * milliseconds a key; a person types much slower. DOM-free (keys and times are passed in),
 * unit-tested with node --test.
 */

/** Longest pause between two keys of a reader's burst (ms). */
export const MAX_GAP = 50;
/** Fewest characters a reader's burst has before its Enter. */
export const MIN_LENGTH = 3;

export class KeyBurst {
  constructor({ maxGap = MAX_GAP, minLength = MIN_LENGTH } = {}) {
    this.maxGap = maxGap;
    this.minLength = minLength;
    this.reset();
  }

  reset() {
    this.text = "";
    this.last = -Infinity;
  }

  /**
   * One keydown: returns the ID a reader typed when this key is the Enter that ends a fast
   * burst, else null. Keys that type nothing (Shift, ...) neither add to nor break a burst.
   */
  key(key, time) {
    if (key === "Enter") {
      const burst = time - this.last <= this.maxGap && this.text.length >= this.minLength;
      const text = this.text;
      this.reset();
      return burst ? text : null;
    }
    if (typeof key !== "string" || key.length !== 1) return null;
    if (time - this.last > this.maxGap) this.text = "";
    this.text = (this.text + key).slice(-128);
    this.last = time;
    return null;
  }
}
