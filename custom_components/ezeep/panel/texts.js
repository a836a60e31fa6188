/**
 * The card's words: translations/<language>.json (over English) and the person's text for
 * every error the panel can meet. DOM-free (fetch is passed in), unit-tested with node --test.
 */

const cache = new Map();

/** The card's texts for a language, over the English ones (missing keys fall back). */
export async function loadTexts(language, base = import.meta.url, fetchFn = globalThis.fetch) {
  const load = (lang) => {
    if (!cache.has(lang)) {
      const url = new URL(`translations/${lang}.json`, base);
      cache.set(
        lang,
        fetchFn(url)
          .then((resp) => (resp.ok ? resp.json() : {}))
          .catch(() => ({})),
      );
    }
    return cache.get(lang);
  };
  const english = await load("en");
  const lang = (language || "en").split("-")[0];
  return lang === "en" ? english : { ...english, ...(await load(lang)) };
}

/** Replace {name} placeholders. */
export function fill(text, values = {}) {
  return text.replace(/\{(\w+)\}/g, (all, key) => (key in values ? values[key] : all));
}

/**
 * The person's text for an error, by its translation key first (variants of one code),
 * then by its code. What only an admin can fix says "ask the office", never a setting.
 */
const BY_KEY = {
  unknown_user: "error_unknown_user",
  unknown_user_hold_off: "error_unknown_user_hold_off",
  unknown_cards_limit: "error_unknown_cards_limit",
  printer_not_ready: "error_printer_not_ready",
  printer_warming_up: "error_printer_warming_up",
  printer_unreachable: "error_printer_not_ready",
  release_cooldown: "error_cooldown",
  release_rate_limited: "error_rate_limited",
  print_failed: "error_print_failed",
};
const BY_CODE = {
  unknown_station: "error_station_unavailable",
  unknown_command: "error_station_unavailable",
  invalid_user_id: "error_invalid_user_id",
  session_expired: "error_session_expired",
  user_not_registered: "error_user_not_registered",
  selection_not_allowed: "error_selection_not_allowed",
  job_not_found: "error_job_not_found",
  job_printing: "error_job_printing",
  already_releasing: "error_already_releasing",
  cooldown: "error_cooldown",
  rate_limited: "error_rate_limited",
  printer_not_ready: "error_printer_not_ready",
  unknown_user: "error_unknown_user",
  auth_failed: "error_ask_office",
  connection_error: "error_no_answer",
  timeout: "error_no_answer",
  stream_interrupted: "error_no_answer",
  protocol_error: "error_ask_office",
  server_error: "error_server",
  reader_not_bound: "error_reader_not_bound",
  sign_in_locked: "error_sign_in_locked",
  card_not_convertible: "error_card_not_convertible",
  invalid_format: "error_generic",
};

/** The key of the card's own text for an error ({code, translation_key}), never missing. */
export function errorKey(err) {
  const key = err?.translation_key;
  if (key && BY_KEY[key]) return BY_KEY[key];
  const code = err?.code;
  if (typeof code === "string" && BY_CODE[code]) return BY_CODE[code];
  if (code !== undefined && /^\d+$/.test(String(code))) return "error_server";
  return "error_generic";
}

/** The placeholders an error brings (an answer's or an event's), with safe defaults. */
export function errorValues(err) {
  const values = { ...(err?.translation_placeholders ?? err?.placeholders ?? {}) };
  for (const name of ["name", "error", "reason", "minutes", "seconds"]) {
    if (values[name] === undefined || values[name] === null || values[name] === "") values[name] = "?";
  }
  return values;
}
