/**
 * ezeep release panel: a Lovelace card that makes a wall tablet a pull-printing release station.
 *
 * Sign in with the on-screen keypad, a keyboard-mode card reader or a card on a chosen
 * reader, see your jobs, print all or some, delete or hold one (where the server allows it),
 * watch them print, cancel, and be signed out automatically. Served and registered by the
 * ezeep integration under a versioned path (a new version of any file, a new URL); no build
 * step. This module is the Lovelace element only; the modules beside it:
 *   state.js   the state and the websocket protocol (no DOM; unit-tested with node --test)
 *   view.js    the screens, keypad.js the keypad and ID field, styles.js the styles
 *   reader.js  keyboard-mode readers (a fast burst of keys and Enter)
 *   texts.js   translations/<language>.json and the person's error texts
 *   editor.js  the card editor, loaded only when the card is edited
 * Privacy: the typed ID is sent once, with sign_in, and then forgotten; the card keeps only
 * an opaque session token, in memory (never in the URL or browser storage).
 *
 * Lit 3.3.3 (BSD-3-Clause, Google LLC) is vendored in lit/, see lit/README.md.
 */
import { LitElement, html, nothing } from "./lit/lit-element.js";
import { KeyBurst } from "./reader.js";
import { DEFAULTS, PanelState, State } from "./state.js";
import { styles } from "./styles.js";
import { fill, loadTexts } from "./texts.js";
import { formatters, renderLive, renderSignedIn, renderSignedOut } from "./view.js";

class EzeepReleasePanel extends LitElement {
  static properties = {
    _rev: { state: true },
    _texts: { state: true },
  };

  static styles = styles;

  constructor() {
    super();
    this._rev = 0;
    this._texts = {};
    this._burst = new KeyBurst();
    this.model = new PanelState({
      conn: {
        call: (type, data = {}) => this._hass.callWS({ type, ...data }),
        subscribe: (onEvent, message) => this._hass.connection.subscribeMessage(onEvent, message, { resubscribe: false }),
      },
      clock: { setTimeout: (fn, ms) => setTimeout(fn, ms), clearTimeout: (id) => clearTimeout(id), now: () => Date.now() },
      changed: () => (this._rev += 1),
    });
  }

  // -- Lovelace card API -------------------------------------------------------------------

  setConfig(config) {
    if (!config || typeof config !== "object") throw new Error("Invalid configuration");
    this._config = { ...DEFAULTS, ...config };
    this._start();
  }

  set hass(hass) {
    const first = !this._hass;
    const language = hass.locale?.language || hass.language;
    this._hass = hass;
    if (first || language !== this._language) {
      this._language = language;
      this._fmt = formatters(language);
      loadTexts(language).then((texts) => (this._texts = texts));
    }
    if (first) {
      this._watchConnection();
      this._start();
    }
  }

  get hass() {
    return this._hass;
  }

  getCardSize() {
    return 12;
  }

  getGridOptions() {
    return { columns: 12, rows: 8, min_columns: 6, min_rows: 6 };
  }

  static async getConfigElement() {
    await import("./editor.js");
    return document.createElement("ezeep-release-panel-editor");
  }

  static async getStubConfig(hass) {
    let entryId = "";
    try {
      const { stations } = await hass.callWS({ type: "ezeep/panel/stations" });
      entryId = stations[0]?.entry_id ?? "";
    } catch (err) {
      // No station loaded: the editor asks for one.
    }
    return { entry_id: entryId, ...DEFAULTS };
  }

  connectedCallback() {
    super.connectedCallback();
    this._onActivity = () => this.model.activity();
    this._onKey = (ev) => this._key(ev);
    this._onFocusOut = () => setTimeout(() => this._keepFocus(true), 0);
    this.addEventListener("pointerdown", this._onActivity);
    this.addEventListener("keydown", this._onActivity);
    this.addEventListener("focusout", this._onFocusOut);
    window.addEventListener("keydown", this._onKey, true);
    this._watchConnection();
    this._start();
  }

  disconnectedCallback() {
    super.disconnectedCallback();
    this.removeEventListener("pointerdown", this._onActivity);
    this.removeEventListener("keydown", this._onActivity);
    this.removeEventListener("focusout", this._onFocusOut);
    window.removeEventListener("keydown", this._onKey, true);
    this._unwatchConnection();
    this._started = null;
    this.model.stop();
  }

  // -- wiring ------------------------------------------------------------------------------

  /** Subscribe once per configuration, when the card is on the page and has hass. */
  _start() {
    if (!this._hass || !this._config || !this.isConnected || this._started === this._config) return;
    this._started = this._config;
    this.model.setConfig(this._config);
  }

  /** Resubscribe whenever the websocket is back (a restart, a network drop). */
  _watchConnection() {
    const connection = this._hass?.connection;
    if (!connection || !this.isConnected || this._connection === connection) return;
    this._unwatchConnection();
    this._connection = connection;
    this._onReady = () => this.model.connectionBack();
    this._onLost = () => this.model.connectionLost();
    connection.addEventListener("ready", this._onReady);
    connection.addEventListener("disconnected", this._onLost);
  }

  _unwatchConnection() {
    if (!this._connection) return;
    this._connection.removeEventListener("ready", this._onReady);
    this._connection.removeEventListener("disconnected", this._onLost);
    this._connection = null;
  }

  /** A keyboard-mode reader's burst signs its person in, also over someone signed in. */
  _key(ev) {
    const path = ev.composedPath();
    if (!this.model.config || !(path.includes(this) || path[0] === document.body)) return;
    const id = this._burst.key(ev.key, ev.timeStamp);
    if (id === null) return;
    ev.preventDefault(); // the Enter must not press the focused button
    ev.stopPropagation();
    this.model.signIn("reader", id);
  }

  _t = (key, values) => fill(this._texts[key] ?? key, values);

  // -- focus -------------------------------------------------------------------------------

  updated() {
    const model = this.model;
    const root = this.renderRoot;
    if (model.confirm && this._confirmed !== model.confirm) {
      root.querySelector(".confirm .keep")?.focus();
    } else if (!model.confirm && this._confirmed) {
      root.querySelector(".signed-in h2")?.focus();
    }
    this._confirmed = model.confirm;
    if (model.session && this._focusedSession !== model.session) {
      this._focusedSession = model.session;
      root.querySelector(".signed-in h2")?.focus();
    }
    this._keepFocus();
  }

  /** Focus never drops to the page body; signed out, the ID field holds it (readers). */
  _keepFocus(onlyLost = false) {
    if (!this.isConnected) return;
    const lost = document.activeElement === document.body || document.activeElement === null;
    const inside = !onlyLost && !!this.renderRoot.activeElement;
    const field = this.renderRoot.querySelector("#user-id");
    if (field && !this.model.session) {
      if (lost || (inside && this.renderRoot.activeElement !== field)) field.focus({ preventScroll: true });
    } else if (lost) {
      const target = this.model.confirm ? ".confirm .keep" : ".signed-in h2";
      this.renderRoot.querySelector(target)?.focus({ preventScroll: true });
    }
  }

  // -- rendering ---------------------------------------------------------------------------

  render() {
    const model = this.model;
    if (!this._config) return nothing;
    let body;
    if (model.state === State.NO_STATION) {
      body = html`<p class="prompt">${this._t("no_station")}</p>`;
    } else if (model.session) {
      body = renderSignedIn(model, this._t, this._fmt ?? formatters(undefined));
    } else {
      body = renderSignedOut(model, this._t);
    }
    return html`<ha-card><div class="panel" role="region" aria-label=${this._t("title")}>${body}${renderLive(model, this._t)}</div></ha-card>`;
  }
}

if (!customElements.get("ezeep-release-panel")) {
  customElements.define("ezeep-release-panel", EzeepReleasePanel);
  window.customCards = window.customCards || [];
  window.customCards.push({
    type: "ezeep-release-panel",
    name: "ezeep release panel",
    description: "A release station on a tablet: sign in with the keypad or a card, print, delete and hold your print jobs.",
    preview: false,
    documentationURL: "https://github.com/ezeep-home-assistant/ezeep#release-panel",
  });
}
