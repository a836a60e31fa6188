/** The on-screen keypad (the keys are data, as in HA's alarm panel card) and the ID field. */
import { html, nothing } from "./lit/lit-element.js";

const DIGITS = "1234567890".split("");
const LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ".split("");
const DIGIT_PAD = ["1", "2", "3", "4", "5", "6", "7", "8", "9"];

/** The keys of a keypad layout ("digits" or "alphanumeric"). */
export function keypadKeys(layout) {
  return layout === "alphanumeric" ? [...DIGITS, ...LETTERS] : DIGIT_PAD;
}

/**
 * The ID field: it holds the keyboard focus for keyboard-mode readers, and inputmode="none"
 * keeps the tablet's own keyboard closed while the keypad is shown.
 */
export function renderIdField(model, t) {
  const config = model.config;
  return html`<label class="id-label" for="user-id">${t("user_id")}</label>
    <input
      id="user-id"
      class="id-field"
      type=${config.mask_id ? "password" : "text"}
      .value=${model.typed}
      autocomplete="off"
      autocapitalize="off"
      spellcheck="false"
      inputmode="none"
      enterkeyhint="go"
      @input=${(ev) => model.setTyped(ev.target.value)}
      @keydown=${(ev) => ev.key === "Enter" && model.signIn("keypad")}
    />`;
}

export function renderKeypad(model, t, disabled) {
  const alphanumeric = model.config.keypad === "alphanumeric";
  const key = (label, press, extra = {}) =>
    html`<button type="button" class="key ${extra.small ? "small-text" : ""}" aria-label=${extra.name ?? nothing} ?disabled=${disabled} @click=${press}>
      ${label}
    </button>`;
  return html`<div class="keypad ${alphanumeric ? "alphanumeric" : "digits"}" role="group" aria-label=${t("keypad")}>
    ${keypadKeys(model.config.keypad).map((k) => key(k, () => model.press(k)))}
    ${key("⌫", () => model.setTyped(model.typed.slice(0, -1)), { name: t("backspace") })}
    ${alphanumeric ? nothing : key("0", () => model.press("0"))}
    ${key(t("clear"), () => model.setTyped(""), { small: true })}
  </div>`;
}
