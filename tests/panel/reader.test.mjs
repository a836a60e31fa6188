/** Keyboard-mode readers: a fast burst of keys and Enter is a card; a person is slower. */
import assert from "node:assert/strict";
import { test } from "node:test";

import { KeyBurst } from "../../custom_components/ezeep/panel/reader.js";

function type(burst, text, gap, start = 1000) {
  let time = start;
  for (const key of text) {
    assert.equal(burst.key(key, time), null);
    time += gap;
  }
  return burst.key("Enter", time);
}

test("a reader typing at 10 ms a key", () => {
  assert.equal(type(new KeyBurst(), "0004711", 10), "0004711");
});

test("a person typing at 150 ms a key is no reader", () => {
  assert.equal(type(new KeyBurst(), "4711", 150), null);
});

test("Shift between letters does not break a burst; a pause starts a new one", () => {
  const burst = new KeyBurst();
  burst.key("x", 0);
  burst.key("y", 500); // after a pause: a new burst
  burst.key("Shift", 505);
  burst.key("A", 510);
  burst.key("B", 520);
  assert.equal(burst.key("Enter", 530), "yAB");
});

test("too short a burst, or Enter long after it, is no card", () => {
  assert.equal(type(new KeyBurst(), "12", 5), null);
  const burst = new KeyBurst();
  type(burst, "", 0);
  burst.key("1", 0);
  burst.key("2", 5);
  burst.key("3", 10);
  assert.equal(burst.key("Enter", 400), null);
});

test("a burst delayed halfway is no card (never the tail of an ID)", () => {
  const burst = new KeyBurst();
  burst.key("1", 1000);
  burst.key("1", 1080); // the tablet was busy: 80 ms
  burst.key("0", 1090);
  burst.key("1", 1100);
  assert.equal(burst.key("Enter", 1110), null);
  // The next card after a quiet moment reads again.
  assert.equal(type(burst, "1101", 10, 2000), "1101");
});

test("a card right after an Enter reads; longer than an ID is none", () => {
  const burst = new KeyBurst();
  assert.equal(type(burst, "4711", 150), null);
  assert.equal(type(burst, "0815", 10, 1000 + 4 * 150 + 20), "0815");
  assert.equal(type(burst, "1101", 10, 2000), "1101");
  assert.equal(type(burst, "1102", 10, 2060), "1102");
  assert.equal(type(new KeyBurst(), "9".repeat(129), 1), null);
});
