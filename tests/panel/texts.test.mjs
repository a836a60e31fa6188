/** Every error code the panel can meet has the person's own text in every language. */
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { test } from "node:test";

import { errorKey, errorValues, fill, loadTexts } from "../../custom_components/ezeep/panel/texts.js";

const FOLDER = new URL("../../custom_components/ezeep/panel/translations/", import.meta.url);
const LANGUAGES = readdirSync(FOLDER).filter((name) => name.endsWith(".json"));

const CODES = [
  "unknown_station", "unknown_command", "invalid_user_id", "session_expired", "user_not_registered",
  "selection_not_allowed", "job_not_found", "job_printing", "already_releasing", "cooldown",
  "rate_limited", "printer_not_ready", "unknown_user", "auth_failed", "connection_error", "timeout",
  "stream_interrupted", "protocol_error", "server_error", "reader_not_bound", "sign_in_locked",
  "card_not_convertible",
];

test("every code has its own text, none the generic one", () => {
  for (const code of CODES) assert.notEqual(errorKey({ code }), "error_generic", code);
  assert.equal(errorKey({ code: "5" }), "error_server");
  assert.equal(errorKey({ code: "unknown_user", translation_key: "unknown_user_hold_off" }), "error_unknown_user_hold_off");
  assert.equal(errorKey({ code: "printer_not_ready", translation_key: "printer_warming_up" }), "error_printer_warming_up");
  assert.equal(errorKey({}), "error_generic");
});

test("every error text exists in every language, without admin words", () => {
  for (const name of LANGUAGES) {
    const texts = JSON.parse(readFileSync(new URL(name, FOLDER)));
    for (const code of [...CODES, "5"]) {
      const key = errorKey({ code });
      assert.ok(texts[key], `${name}: ${key}`);
      assert.doesNotMatch(texts[key], /Settings|Repairs|force|integration/i, `${name}: ${key}`);
    }
  }
});

test("placeholders are filled, missing ones become a question mark", () => {
  const values = errorValues({ translation_placeholders: { reason: "Out of paper" } });
  assert.equal(fill("Not ready: {reason} ({minutes})", values), "Not ready: Out of paper (?)");
});

test("texts load over English", async () => {
  const files = {
    "en.json": { a: "A", b: "B" },
    "de.json": { a: "Ä" },
  };
  const fetchFn = async (url) => ({ ok: true, json: async () => files[url.pathname.split("/").pop()] });
  const texts = await loadTexts("de-DE", "http://x/panel/", fetchFn);
  assert.deepEqual(texts, { a: "Ä", b: "B" });
});
