/**
 * ezeep release panel: a Lovelace card that makes a wall tablet a pull-printing release station.
 *
 * Sign in with the on-screen keypad or a card on a chosen reader, see your jobs, release all
 * or some, delete or hold one (where the server allows it), watch them print, cancel, and be
 * signed out automatically. Served and registered by the ezeep integration; no build step.
 *
 * Talks to Home Assistant only through the integration's websocket commands (ezeep/panel/*,
 * see custom_components/ezeep/panel/websocket.py). Privacy: the typed ID is sent once, with
 * sign_in, and then forgotten; the card keeps only an opaque session token, in memory (never
 * in the URL or browser storage). Everything shown is cleared on sign-out.
 *
 * Texts: translations/<language>.json beside this file (English fallback); server errors are
 * Home Assistant's translations of the integration's exception keys.
 *
 * Lit 3.3.3 (BSD-3-Clause, Google LLC) is vendored in lit/, see lit/README.md.
 */
import { LitElement, html, css, nothing } from "./lit/lit-element.js";

const DIGITS = "1234567890".split("");
const LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ".split("");
const DIGIT_PAD = ["1", "2", "3", "4", "5", "6", "7", "8", "9"];
const DEFAULTS = {
  reader_device_ids: [],
  idle_timeout: 30,
  keypad: "digits",
  mask_id: true,
  release_all_on_sign_in: false,
};
/** Errors the card words itself (the server's texts name services and their options). */
const OWN_ERROR_TEXTS = {
  printer_not_ready: "printer_not_ready",
  printer_warming_up: "printer_not_ready",
  printer_unreachable: "printer_not_ready",
  job_not_found: "job_not_found",
  selection_not_allowed: "selection_not_allowed",
};
const FINAL = new Set(["completed", "canceled", "failed"]);
/** Thrown for an answer that came too late: the person it was for is no longer shown. */
const STALE = Symbol("stale");
/** At most one "still here" note to the server per this many ms of tapping around. */
const TOUCH_EVERY = 5000;

const textCache = new Map();

/** The card's texts for a language, over the English ones (missing keys fall back). */
async function loadTexts(language) {
  const load = async (lang) => {
    if (!textCache.has(lang)) {
      const url = new URL(`translations/${lang}.json`, import.meta.url);
      textCache.set(
        lang,
        fetch(url)
          .then((resp) => (resp.ok ? resp.json() : {}))
          .catch(() => ({})),
      );
    }
    return textCache.get(lang);
  };
  const english = await load("en");
  const base = (language || "en").split("-")[0];
  return base === "en" ? english : { ...english, ...(await load(base)) };
}

/** Replace {name} placeholders. */
function fill(text, values = {}) {
  return text.replace(/\{(\w+)\}/g, (all, key) => (key in values ? values[key] : all));
}

class EzeepReleasePanel extends LitElement {
  static properties = {
    _config: { state: true },
    _texts: { state: true },
    _typed: { state: true },
    _session: { state: true },
    _name: { state: true },
    _jobs: { state: true },
    _selectable: { state: true },
    _selected: { state: true },
    _copies: { state: true },
    _release: { state: true },
    _message: { state: true },
    _confirm: { state: true },
    _busy: { state: true },
  };

  constructor() {
    super();
    this._texts = {};
    this._typed = "";
    this._copies = 1;
    this._reset();
  }

  // -- Lovelace card API -------------------------------------------------------------------

  setConfig(config) {
    this._config = { ...DEFAULTS, ...config };
    this._resubscribe();
  }

  set hass(hass) {
    const first = !this._hass;
    const language = hass.locale?.language || hass.language;
    this._hass = hass;
    if (first || language !== this._language) {
      this._language = language;
      loadTexts(language).then((texts) => (this._texts = texts));
      hass.loadBackendTranslation?.("exceptions", "ezeep");
    }
    if (first) this._resubscribe();
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

  static getConfigElement() {
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
    this._onActivity = () => this._activity();
    this.addEventListener("pointerdown", this._onActivity);
    this.addEventListener("keydown", this._onActivity);
    this._resubscribe();
  }

  disconnectedCallback() {
    super.disconnectedCallback();
    this.removeEventListener("pointerdown", this._onActivity);
    this.removeEventListener("keydown", this._onActivity);
    this._unsubscribe();
    this._clear();
  }

  // -- state ---------------------------------------------------------------------------------

  _t(key, values) {
    return fill(this._texts[key] ?? key, values);
  }

  /** Forget everything about the person (the ID field too). */
  _reset() {
    this._session = null;
    this._name = null;
    this._jobs = [];
    this._selectable = false;
    this._selected = new Set();
    this._release = null;
    this._confirm = null;
    this._busy = false;
    this._typed = "";
    this._copies = 1;
  }

  _clear(messageKey = null, values = {}) {
    clearTimeout(this._idleTimer);
    this._reset();
    this._message = messageKey ? { kind: "info", text: this._t(messageKey, values) } : null;
  }

  _setJobs({ jobs, selectable }) {
    this._jobs = jobs;
    this._selectable = selectable;
    const names = new Set(jobs.map((job) => job.job));
    this._selected = new Set([...this._selected].filter((name) => names.has(name)));
  }

  /** The person did something: restart the idle timer, tell the server now and then. */
  _activity() {
    clearTimeout(this._idleTimer);
    const seconds = this._config?.idle_timeout ?? DEFAULTS.idle_timeout;
    // The server signs out after the idle timeout; this is the fallback (a lost event, a
    // half-typed ID left on the screen).
    this._idleTimer = setTimeout(() => this._idle(), (seconds + 3) * 1000);
    const now = Date.now();
    if (this._session && now - (this._touched ?? 0) > TOUCH_EVERY) {
      this._touched = now;
      // The server may have ended the session without a word (a reload): clear the card.
      this._sessionCall("ezeep/panel/touch").catch((err) => this._expired(err));
    }
  }

  _idle() {
    if (this._release && !this._release.done) {
      this._activity(); // never while printing
    } else if (this._session) {
      this._signOut("signed_out_idle");
    } else {
      this._typed = ""; // a half-typed ID does not stay on the screen
    }
  }

  // -- server --------------------------------------------------------------------------------

  /** A card without a station (a dashboard written by hand) takes the only one there is. */
  async _onlyStation() {
    try {
      const { stations } = await this._call("ezeep/panel/stations");
      if (stations.length === 1 && !this._config.entry_id) {
        this._config = { ...this._config, entry_id: stations[0].entry_id };
      }
    } catch (err) {
      // No answer: the card asks for a station in its settings.
    }
  }

  _call(type, data = {}) {
    return this._hass.callWS({ type, ...data });
  }

  /**
   * A command for the person signed in now. Its answer (or error) counts only while they
   * still are: one that arrives after a sign-out or another sign-in throws STALE.
   */
  async _sessionCall(type, data = {}) {
    const session = this._session;
    let result;
    try {
      result = await this._call(type, { session, ...data });
    } catch (err) {
      throw session === this._session ? err : STALE;
    }
    if (session !== this._session) throw STALE;
    return result;
  }

  /** The server ended the session (a reload, idle, a lost event): clear the card. */
  _expired(err) {
    if (err === STALE || err?.code !== "session_expired") return false;
    this._clear();
    this._showError(err);
    return true;
  }

  async _resubscribe() {
    // Ending the old subscription ends its sessions on the server.
    if (this._session) this._clear();
    this._unsubscribe();
    if (this._hass && this._config && !this._config.entry_id && this.isConnected) {
      await this._onlyStation();
    }
    const config = this._config;
    if (!this._hass || !config?.entry_id || !this.isConnected) return;
    const generation = (this._generation = (this._generation ?? 0) + 1);
    try {
      const unsub = await this._hass.connection.subscribeMessage((event) => this._onEvent(event), {
        type: "ezeep/panel/subscribe",
        entry_id: config.entry_id,
        reader_device_ids: config.reader_device_ids ?? [],
        idle_timeout: config.idle_timeout,
      });
      if (generation !== this._generation) unsub();
      else this._unsub = unsub;
    } catch (err) {
      this._showError(err);
    }
    if (!this._onDisconnect) {
      this._onDisconnect = () => this._clear("connection_lost");
      this._hass.connection.addEventListener("disconnected", this._onDisconnect);
    }
  }

  _unsubscribe() {
    this._generation = (this._generation ?? 0) + 1;
    if (this._unsub) {
      this._unsub().catch?.(() => {});
      this._unsub = null;
    }
    if (this._onDisconnect && this._hass) {
      this._hass.connection.removeEventListener("disconnected", this._onDisconnect);
      this._onDisconnect = null;
    }
  }

  _onEvent(event) {
    if (event.type === "signed_in") {
      this._signIns = (this._signIns ?? 0) + 1; // a typed sign-in pending now was overtaken
      this._signedIn(event);
      return;
    }
    if (event.session && event.session !== this._session) return;
    if (event.type === "signed_out") {
      this._clear(event.reason === "sign_out" ? null : `signed_out_${event.reason}`, {
        seconds: this._config.idle_timeout,
      });
    } else if (event.type === "progress" || event.type === "error") {
      this._progress(event);
    } else if (event.type === "jobs") {
      this._setJobs(event);
      if (this._release) this._release = { ...this._release, done: true };
      this._message = { kind: "info", text: this._t("release_done") };
    }
  }

  _progress(event) {
    if (!event.job) {
      this._showError({ ...event, translation_placeholders: event.placeholders });
      return;
    }
    this._activity();
    const release = this._release ?? { done: false, jobs: [] };
    const status = event.type === "error" ? "failed" : event.status;
    let found = false;
    const jobs = release.jobs.map((job) => {
      if (job.job !== event.job) return job;
      found = true;
      return { ...job, status, done: event.done ?? job.done, total: event.total, unit: event.unit };
    });
    if (!found) jobs.push({ job: event.job, name: event.name, status, done: event.done, total: event.total, unit: event.unit });
    this._release = { ...release, jobs };
    if (event.type === "error") {
      this._showError({ ...event, translation_placeholders: event.placeholders });
    }
  }

  _showError(err) {
    const key = err?.translation_key;
    const values = err?.translation_placeholders ?? {};
    let text = null;
    if (key && OWN_ERROR_TEXTS[key]) {
      text = this._t(OWN_ERROR_TEXTS[key], values);
    } else if (key && this._hass?.localize) {
      text = this._hass.localize(`component.ezeep.exceptions.${key}.message`, values) || null;
    }
    text = text || err?.message || this._t("error_generic");
    // The server printed a registration sheet just now (a hold-off's text says so itself).
    const hint = key === "unknown_user" ? this._t("unknown_hint") : null;
    this._message = { kind: "error", text, hint };
  }

  async _run(work) {
    this._busy = true;
    this._activity();
    try {
      await work();
    } catch (err) {
      if (err !== STALE && !this._expired(err)) this._showError(err);
    } finally {
      this._busy = false;
    }
  }

  // -- actions -------------------------------------------------------------------------------

  _press(key) {
    this._message = null;
    if (this._typed.length < 64) this._typed += key;
  }

  _signIn() {
    const userId = this._typed.trim();
    this._typed = ""; // the ID is not kept, not even in the field
    if (!userId || this._busy) return;
    this._run(async () => {
      this._message = null;
      const signIns = this._signIns;
      let result;
      try {
        result = await this._call("ezeep/panel/sign_in", {
          entry_id: this._config.entry_id,
          user_id: userId,
        });
      } catch (err) {
        // session_expired: a newer sign-in at this card (a scan) overtook this one.
        if (err?.code === "session_expired" || signIns !== this._signIns) throw STALE;
        throw err;
      }
      // The server answers only the card's newest sign-in (it ends the older ones).
      this._signedIn(result);
    });
  }

  _signedIn(result) {
    this._reset();
    this._message = null;
    this._session = result.session;
    this._name = result.name;
    this._setJobs(result);
    this._activity();
    if (this._config.release_all_on_sign_in && this._releasable().length) {
      this._releaseJobs(null);
    }
  }

  _signOut(messageKey = null) {
    const session = this._session;
    this._clear(messageKey, { seconds: this._config?.idle_timeout });
    if (session) this._call("ezeep/panel/sign_out", { session }).catch(() => {});
  }

  _releasable() {
    return this._jobs.filter((job) => !job.on_hold);
  }

  _releaseJobs(names) {
    this._run(async () => {
      this._message = null;
      const result = await this._sessionCall("ezeep/panel/release", {
        jobs: names,
        copies: this._copies,
      });
      const jobs = result.jobs.map((job) => ({ ...job, status: job.result, done: 0 }));
      this._release = { done: jobs.length === 0, jobs };
      this._selected = new Set();
      if (!jobs.length) this._message = { kind: "info", text: this._t("nothing_to_release") };
    });
  }

  _cancel() {
    this._run(async () => {
      await this._sessionCall("ezeep/panel/cancel");
    });
  }

  _jobCommand(type, data) {
    this._run(async () => {
      this._message = null;
      this._setJobs(await this._sessionCall(type, data));
    });
  }

  _toggle(job, checked) {
    const selected = new Set(this._selected);
    if (checked) selected.add(job.job);
    else selected.delete(job.job);
    this._selected = selected;
  }

  _setCopies(value) {
    const copies = Math.max(1, Math.min(99, Number.parseInt(value, 10) || 1));
    this._copies = copies;
  }

  updated(changed) {
    if (changed.has("_confirm") && this._confirm) {
      this.renderRoot.querySelector(".confirm .keep")?.focus();
    }
    if (changed.has("_session") && this._session) {
      this.renderRoot.querySelector(".signed-in h2")?.focus();
    }
  }

  // -- rendering -----------------------------------------------------------------------------

  render() {
    if (!this._config) return nothing;
    let body;
    if (!this._config.entry_id) {
      body = html`<p class="prompt">${this._t("no_station")}</p>`;
    } else {
      body = this._session ? this._renderSignedIn() : this._renderSignedOut();
    }
    return html`<ha-card><div class="panel">${body}</div></ha-card>`;
  }

  _renderMessage() {
    const message = this._message;
    return html`<div class="message-area">
      ${message
        ? html`<div class="message ${message.kind}" role=${message.kind === "error" ? "alert" : "status"}>
            <p>${message.text}</p>
            ${message.hint ? html`<p class="hint">${message.hint}</p>` : nothing}
          </div>`
        : nothing}
    </div>`;
  }

  _renderSignedOut() {
    const alphanumeric = this._config.keypad === "alphanumeric";
    const keys = alphanumeric ? [...DIGITS, ...LETTERS] : DIGIT_PAD;
    const readers = (this._config.reader_device_ids ?? []).length > 0;
    return html`<div class="signed-out">
      <h2>${this._t("title")}</h2>
      <p class="prompt">${this._t(readers ? "prompt_card_or_id" : "prompt_id")}</p>
      ${this._renderMessage()}
      <label class="id-label" for="user-id">${this._t("user_id")}</label>
      <input
        id="user-id"
        class="id-field"
        type=${this._config.mask_id ? "password" : "text"}
        .value=${this._typed}
        autocomplete="off"
        autocapitalize="off"
        spellcheck="false"
        inputmode=${alphanumeric ? "text" : "numeric"}
        enterkeyhint="go"
        @input=${(ev) => (this._typed = ev.target.value)}
        @keydown=${(ev) => ev.key === "Enter" && this._signIn()}
      />
      <div class="keypad ${alphanumeric ? "alphanumeric" : "digits"}" role="group" aria-label=${this._t("keypad")}>
        ${keys.map((key) => html`<button type="button" class="key" @click=${() => this._press(key)}>${key}</button>`)}
        <button type="button" class="key" aria-label=${this._t("backspace")} @click=${() => (this._typed = this._typed.slice(0, -1))}>⌫</button>
        ${alphanumeric ? nothing : html`<button type="button" class="key" @click=${() => this._press("0")}>0</button>`}
        <button type="button" class="key small-text" @click=${() => (this._typed = "")}>${this._t("clear")}</button>
      </div>
      <button type="button" class="primary big sign-in" ?disabled=${this._busy || !this._typed.trim()} @click=${() => this._signIn()}>
        ${this._t("sign_in")}
      </button>
    </div>`;
  }

  _renderSignedIn() {
    const releasing = this._release && !this._release.done;
    return html`<div class="signed-in">
      <header>
        <h2 tabindex="-1">${this._name ? this._t("hello", { name: this._name }) : this._t("signed_in")}</h2>
        <button type="button" class="secondary" @click=${() => this._signOut()}>${this._t("sign_out")}</button>
      </header>
      ${this._renderMessage()} ${this._renderConfirm()} ${this._renderRelease()}
      <section class="jobs" aria-labelledby="jobs-title">
        <h3 id="jobs-title">${this._t("your_jobs")}</h3>
        ${this._jobs.length
          ? html`<ul class="job-list">${this._jobs.map((job, index) => this._renderJob(job, index, releasing))}</ul>`
          : html`<p class="empty">${this._t("no_jobs")}</p>`}
      </section>
      <div class="actions">
        <div class="copies" role="group" aria-label=${this._t("copies")}>
          <button type="button" class="step" aria-label=${this._t("fewer_copies")} ?disabled=${this._copies <= 1} @click=${() => this._setCopies(this._copies - 1)}>−</button>
          <label>
            <span>${this._t("copies")}</span>
            <input type="number" min="1" max="99" .value=${String(this._copies)} @change=${(ev) => this._setCopies(ev.target.value)} />
          </label>
          <button type="button" class="step" aria-label=${this._t("more_copies")} ?disabled=${this._copies >= 99} @click=${() => this._setCopies(this._copies + 1)}>+</button>
        </div>
        ${this._selectable
          ? html`<button type="button" class="big" ?disabled=${this._busy || releasing || !this._selected.size} @click=${() => this._releaseJobs(this._jobs.filter((job) => this._selected.has(job.job)).map((job) => job.job))}>
              ${this._t("release_selected")}
            </button>`
          : nothing}
        <button type="button" class="primary big" ?disabled=${this._busy || releasing || !this._releasable().length} @click=${() => this._releaseJobs(null)}>
          ${this._t("release_all")}
        </button>
        ${releasing ? html`<button type="button" class="danger big" @click=${() => this._cancel()}>${this._t("cancel")}</button>` : nothing}
      </div>
    </div>`;
  }

  _renderJob(job, index, releasing) {
    const id = `job-${index}`;
    const inRelease = this._release?.jobs.some((item) => item.job === job.job && !FINAL.has(item.status));
    const checkable = this._selectable && !job.on_hold;
    const details = html`<span class="job-name">${job.name}</span>
      <span class="job-meta">${this._size(job.size)} · ${this._age(job.created)}${job.on_hold ? html` · <span class="badge">${this._t("on_hold")}</span>` : nothing}</span>`;
    return html`<li class="job ${job.on_hold ? "held" : ""}" aria-label=${job.name}>
      ${checkable
        ? html`<input type="checkbox" id=${id} .checked=${this._selected.has(job.job)} ?disabled=${releasing} @change=${(ev) => this._toggle(job, ev.target.checked)} />
            <label class="job-text" for=${id}>${details}</label>`
        : html`${this._selectable ? html`<span class="check-space"></span>` : nothing}<div class="job-text">${details}</div>`}
      ${this._selectable
        ? html`<div class="job-actions">
            <button type="button" ?disabled=${this._busy || inRelease} @click=${() => this._jobCommand("ezeep/panel/hold", { job: job.job, hold: !job.on_hold })}>
              ${job.on_hold ? this._t("release_hold") : this._t("hold")}
            </button>
            <button type="button" class="danger-outline" ?disabled=${this._busy || inRelease} @click=${() => (this._confirm = job)}>${this._t("delete")}</button>
          </div>`
        : nothing}
    </li>`;
  }

  _renderConfirm() {
    const job = this._confirm;
    if (!job) return nothing;
    const close = () => (this._confirm = null);
    return html`<div class="confirm" role="alertdialog" aria-labelledby="confirm-text" @keydown=${(ev) => ev.key === "Escape" && close()}>
      <p id="confirm-text">${this._t("confirm_delete", { name: job.name })}</p>
      <div class="confirm-buttons">
        <button type="button" class="keep" @click=${close}>${this._t("confirm_no")}</button>
        <button type="button" class="danger" @click=${() => {
          close();
          this._jobCommand("ezeep/panel/delete", { job: job.job });
        }}>${this._t("confirm_yes")}</button>
      </div>
    </div>`;
  }

  _renderRelease() {
    const release = this._release;
    if (!release || !release.jobs.length) return nothing;
    return html`<section class="release" aria-labelledby="release-title">
      <h3 id="release-title">${this._t(release.done ? "release_finished" : "printing")}</h3>
      <ul>
        ${release.jobs.map((job) => {
          const percent = this._percent(job);
          return html`<li class="release-job ${job.status}">
            <span class="job-name">${job.name}</span>
            <div class="bar" role="progressbar" aria-label=${job.name} aria-valuemin="0" aria-valuemax="100" aria-valuenow=${percent ?? nothing} aria-valuetext=${this._progressText(job)}>
              <div class="fill" style="width: ${percent ?? 0}%"></div>
            </div>
            <span class="status">${this._progressText(job)}</span>
          </li>`;
        })}
      </ul>
    </section>`;
  }

  _percent(job) {
    if (job.status === "completed") return 100;
    if (job.unit === "percent") return Math.max(0, Math.min(100, job.done ?? 0));
    if (job.total) return Math.round((100 * (job.done ?? 0)) / job.total);
    return job.status === "queued" ? 0 : null;
  }

  _progressText(job) {
    const status = this._t(`status_${job.status}`);
    if (job.status !== "printing") return status;
    if (job.unit === "percent") return `${status} · ${this._t("progress_percent", { done: job.done })}`;
    const key = job.total ? "progress_pages" : "progress_pages_unknown";
    return `${status} · ${this._t(key, { done: job.done, total: job.total })}`;
  }

  _size(bytes) {
    const units = [
      ["gigabyte", 1e9],
      ["megabyte", 1e6],
      ["kilobyte", 1e3],
    ];
    const [unit, factor] = units.find(([, f]) => bytes >= f) ?? ["byte", 1];
    return new Intl.NumberFormat(this._language, { style: "unit", unit, maximumFractionDigits: 1 }).format(bytes / factor);
  }

  _age(created) {
    const seconds = Math.round((new Date(created).getTime() - Date.now()) / 1000);
    const format = new Intl.RelativeTimeFormat(this._language, { numeric: "auto" });
    const steps = [
      ["day", 86400],
      ["hour", 3600],
      ["minute", 60],
    ];
    for (const [unit, size] of steps) {
      if (Math.abs(seconds) >= size) return format.format(Math.round(seconds / size), unit);
    }
    return format.format(0, "minute");
  }

  static styles = css`
    :host {
      display: block;
      height: 100%;
      container-type: inline-size;
      --ezeep-gap: 16px;
      --ezeep-touch: 64px;
    }
    ha-card {
      height: 100%;
      box-sizing: border-box;
      overflow: auto;
      color: var(--primary-text-color);
    }
    .panel {
      padding: 24px;
      max-width: 1200px;
      margin: 0 auto;
      font-size: 18px;
    }
    h2 {
      font-size: 32px;
      font-weight: 500;
      margin: 0 0 8px;
    }
    h2:focus {
      outline: none;
    }
    h3 {
      font-size: 20px;
      font-weight: 500;
      margin: 16px 0 8px;
      color: var(--secondary-text-color);
    }
    button {
      font: inherit;
      font-size: 20px;
      min-height: var(--ezeep-touch);
      min-width: var(--ezeep-touch);
      padding: 0 20px;
      border-radius: 12px;
      border: 1px solid var(--divider-color);
      background: var(--secondary-background-color);
      color: var(--primary-text-color);
      cursor: pointer;
    }
    button:focus-visible,
    input:focus-visible {
      outline: 3px solid var(--primary-color);
      outline-offset: 2px;
    }
    button:disabled {
      opacity: 0.4;
      cursor: default;
    }
    button.primary {
      background: var(--primary-color);
      color: var(--text-primary-color, #fff);
      border-color: transparent;
    }
    button.danger {
      background: var(--error-color);
      color: var(--text-primary-color, #fff);
      border-color: transparent;
    }
    button.danger-outline {
      color: var(--error-color);
      border-color: var(--error-color);
      background: transparent;
    }
    button.big {
      min-height: 80px;
      font-size: 24px;
    }
    .signed-out {
      display: flex;
      flex-direction: column;
      gap: var(--ezeep-gap);
      max-width: 520px;
      margin: 0 auto;
    }
    .prompt {
      margin: 0;
      color: var(--secondary-text-color);
    }
    .id-label {
      font-weight: 500;
    }
    .id-field {
      font-size: 32px;
      letter-spacing: 4px;
      padding: 12px 16px;
      min-height: var(--ezeep-touch);
      border-radius: 12px;
      border: 2px solid var(--divider-color);
      background: var(--card-background-color);
      color: var(--primary-text-color);
      box-sizing: border-box;
      width: 100%;
    }
    .keypad {
      display: grid;
      grid-template-columns: repeat(3, 1fr);
      gap: 12px;
    }
    .keypad.alphanumeric {
      grid-template-columns: repeat(6, 1fr);
      gap: 8px;
    }
    .key {
      font-size: 30px;
      min-height: 80px;
      padding: 0;
    }
    .alphanumeric .key {
      min-height: var(--ezeep-touch);
      font-size: 24px;
    }
    .key.small-text {
      font-size: 18px;
    }
    .message-area:empty {
      display: none;
    }
    .message {
      border-radius: 12px;
      padding: 12px 16px;
      background: var(--secondary-background-color);
      border-left: 6px solid var(--info-color, var(--primary-color));
    }
    .message.error {
      border-left-color: var(--error-color);
    }
    .message p {
      margin: 4px 0;
    }
    .message .hint {
      color: var(--secondary-text-color);
    }
    .signed-in {
      display: grid;
      grid-template-columns: 1fr;
      gap: var(--ezeep-gap);
    }
    header {
      display: flex;
      align-items: center;
      justify-content: space-between;
      gap: var(--ezeep-gap);
    }
    header h2 {
      margin: 0;
    }
    ul {
      list-style: none;
      margin: 0;
      padding: 0;
    }
    .job {
      display: flex;
      align-items: center;
      gap: 12px;
      min-height: 80px;
      padding: 8px 4px;
      border-bottom: 1px solid var(--divider-color);
    }
    .job input[type="checkbox"] {
      width: 36px;
      height: 36px;
      margin: 0 4px;
      accent-color: var(--primary-color);
      flex: none;
    }
    .check-space {
      width: 44px;
      flex: none;
    }
    .job-text {
      display: flex;
      flex-direction: column;
      flex: 1;
      min-width: 0;
      cursor: pointer;
      padding: 8px 0;
    }
    .job-name {
      font-size: 20px;
      overflow-wrap: anywhere;
    }
    .job-meta {
      color: var(--secondary-text-color);
      font-size: 16px;
    }
    .job.held .job-name {
      color: var(--secondary-text-color);
    }
    .badge {
      color: var(--warning-color, #ff9800);
      font-weight: 500;
    }
    .job-actions {
      display: flex;
      gap: 8px;
      flex: none;
    }
    .job-actions button {
      font-size: 18px;
      padding: 0 14px;
    }
    .actions {
      display: flex;
      flex-wrap: wrap;
      gap: 12px;
      align-items: stretch;
      position: sticky;
      bottom: 0;
      padding: 12px 0;
      background: var(--ha-card-background, var(--card-background-color));
    }
    .actions .big {
      flex: 1 1 200px;
    }
    .copies {
      display: flex;
      align-items: center;
      gap: 8px;
    }
    .copies label {
      display: flex;
      flex-direction: column;
      align-items: center;
      font-size: 14px;
      color: var(--secondary-text-color);
    }
    .copies input {
      width: 64px;
      font-size: 24px;
      text-align: center;
      border: 1px solid var(--divider-color);
      border-radius: 8px;
      background: var(--card-background-color);
      color: var(--primary-text-color);
    }
    .step {
      font-size: 28px;
      padding: 0;
    }
    .empty {
      color: var(--secondary-text-color);
    }
    .confirm {
      border: 2px solid var(--error-color);
      border-radius: 12px;
      padding: 16px;
      background: var(--card-background-color);
    }
    .confirm p {
      margin: 0 0 12px;
      font-size: 20px;
    }
    .confirm-buttons {
      display: flex;
      gap: 12px;
      justify-content: flex-end;
    }
    .release-job {
      display: grid;
      grid-template-columns: 1fr;
      gap: 4px;
      padding: 8px 0;
    }
    .bar {
      height: 14px;
      border-radius: 7px;
      background: var(--divider-color);
      overflow: hidden;
    }
    .fill {
      height: 100%;
      background: var(--primary-color);
      transition: width 0.3s;
    }
    .completed .fill {
      background: var(--success-color, #4caf50);
    }
    .failed .fill,
    .canceled .fill {
      background: var(--error-color);
    }
    .status {
      color: var(--secondary-text-color);
      font-size: 16px;
    }
    @media (max-height: 860px) {
      .panel {
        padding: 16px 24px;
      }
      .signed-out {
        gap: 10px;
      }
      .key,
      button.big {
        min-height: 64px;
      }
      h2 {
        font-size: 28px;
      }
    }
    @container (min-width: 1000px) {
      .signed-in {
        grid-template-columns: 1fr 340px;
        grid-template-areas: "head head" "msg actions" "confirm actions" "release actions" "jobs actions";
        align-items: start;
      }
      header {
        grid-area: head;
      }
      .signed-in > .message-area {
        grid-area: msg;
      }
      .confirm {
        grid-area: confirm;
      }
      .release {
        grid-area: release;
      }
      .jobs {
        grid-area: jobs;
      }
      .actions {
        grid-area: actions;
        flex-direction: column;
        position: sticky;
        top: 0;
      }
      .actions .big {
        flex: none;
      }
      .signed-out {
        max-width: 640px;
      }
    }
  `;
}

/** The visual editor: station, readers, idle timeout, keypad, mask, release at sign-in. */
class EzeepReleasePanelEditor extends LitElement {
  static properties = {
    hass: { attribute: false },
    _config: { state: true },
    _texts: { state: true },
  };

  constructor() {
    super();
    this._texts = {};
  }

  setConfig(config) {
    this._config = { ...DEFAULTS, ...config };
  }

  willUpdate(changed) {
    if (changed.has("hass") && this.hass && !this._loaded) {
      this._loaded = true;
      loadTexts(this.hass.locale?.language).then((texts) => (this._texts = texts));
    }
  }

  _schema() {
    const t = (key) => this._texts[key] ?? key;
    return [
      { name: "entry_id", required: true, selector: { config_entry: { integration: "ezeep" } } },
      { name: "reader_device_ids", selector: { device: { multiple: true } } },
      { name: "idle_timeout", selector: { number: { min: 5, max: 600, step: 5, mode: "box", unit_of_measurement: "s" } } },
      {
        name: "keypad",
        selector: {
          select: {
            mode: "dropdown",
            options: [
              { value: "digits", label: t("editor_keypad_digits") },
              { value: "alphanumeric", label: t("editor_keypad_alphanumeric") },
            ],
          },
        },
      },
      { name: "mask_id", selector: { boolean: {} } },
      { name: "release_all_on_sign_in", selector: { boolean: {} } },
    ];
  }

  render() {
    if (!this.hass || !this._config) return nothing;
    return html`<ha-form
      .hass=${this.hass}
      .data=${this._config}
      .schema=${this._schema()}
      .computeLabel=${(field) => this._texts[`editor_${field.name}`] ?? field.name}
      .computeHelper=${(field) => this._texts[`editor_${field.name}_helper`]}
      @value-changed=${this._changed}
    ></ha-form>`;
  }

  _changed(ev) {
    ev.stopPropagation();
    this._config = { ...ev.detail.value };
    this.dispatchEvent(new CustomEvent("config-changed", { detail: { config: this._config }, bubbles: true, composed: true }));
  }
}

if (!customElements.get("ezeep-release-panel")) {
  customElements.define("ezeep-release-panel", EzeepReleasePanel);
  customElements.define("ezeep-release-panel-editor", EzeepReleasePanelEditor);
  window.customCards = window.customCards || [];
  window.customCards.push({
    type: "ezeep-release-panel",
    name: "ezeep release panel",
    description: "A release station on a tablet: sign in with the keypad or a card, release, delete and hold your print jobs.",
    preview: false,
    documentationURL: "https://github.com/ezeep-home-assistant/ezeep#release-panel",
  });
}
