/**
 * The release panel's state and its websocket protocol, without any DOM.
 *
 * One explicit state at a time (State below), plus what the screen shows beside it (the
 * message, the confirmation, each row's pending action, the idle warning). It talks to Home
 * Assistant only through `conn` ({call(type, data), subscribe(onEvent, message)}) and keeps
 * time only through `clock` ({setTimeout, clearTimeout, now}): a unit test drives it with a
 * fake connection and a fake clock (tests/panel/state.test.mjs). The card calls `changed`
 * to re-render after every change.
 *
 * The subscription (link.js) and its events (events.js) have modules of their own.
 *
 * Privacy: a typed ID is sent once (sign_in) and forgotten; only the opaque session token is
 * kept, here in memory.
 */
import { onPanelEvent } from "./events.js";
import { StationLink } from "./link.js";

export const State = Object.freeze({
  NO_STATION: "no_station",
  STARTING: "station_starting", // connecting, or the station is not loaded yet
  SIGNED_OUT: "signed_out",
  SIGNING_IN: "signing_in",
  JOBS: "jobs",
  RELEASING: "releasing",
  FINISHED: "finished",
});

export const DEFAULTS = Object.freeze({
  reader_device_ids: [],
  idle_timeout: 30,
  keypad: "digits",
  mask_id: true,
  release_all_on_sign_in: false,
});

const FINAL = new Set(["completed", "canceled", "failed"]);
/** At most one "still here" note per this many ms of tapping around (except below). */
export const TOUCH_EVERY = 5000;
/** Messages on the signed-out screen go after this long (the next person's screen). */
export const MESSAGE_TTL = 10000;
/** The card's own idle fallback comes this long after the server's (a lost event). */
const FALLBACK_EXTRA = 3000;
/** An answer for a person no longer shown. */
export const STALE = Symbol("stale");

/** When to warn before the idle sign-out (ms after the last activity): 10 s before it. */
export function warnAfter(idleSeconds) {
  return Math.max(idleSeconds - 10, idleSeconds / 2) * 1000;
}

export class PanelState {
  constructor({ conn, clock = globalThis, changed = () => {} }) {
    this.conn = conn;
    this.clock = clock;
    this.changed = changed;
    this.config = null;
    this.state = State.STARTING;
    this.typed = "";
    this.message = null;
    this.announcement = null;
    this.signIns = 0;
    this.touched = 0;
    this.timers = {};
    this.link = new StationLink(this);
    this.forget();
  }

  // -- what is shown -----------------------------------------------------------------------

  get signedIn() {
    return [State.JOBS, State.RELEASING, State.FINISHED].includes(this.state);
  }

  /** Says "Station starting": a subscription failed or the connection is gone (not the
   * first few milliseconds of every load). */
  get waiting() {
    return this.state === State.STARTING && (this.link.retries > 0 || this.link.lost);
  }

  get canSignIn() {
    return this.state === State.SIGNED_OUT || this.signedIn;
  }

  /** Seconds between the idle warning and the sign-out. */
  get warningSeconds() {
    const seconds = this._idleSeconds();
    return Math.round(seconds - warnAfter(seconds) / 1000);
  }

  /** Jobs a release of all would print (held ones are not released). */
  releasable() {
    return this.jobs.filter((job) => !job.on_hold);
  }

  /** Whether a job is waiting or printing in the release shown. */
  inRelease(name) {
    return !!this.release?.jobs.some((job) => job.job === name && !FINAL.has(job.status));
  }

  _set(fields) {
    Object.assign(this, fields);
    this.changed();
  }

  _announce(key, values = {}) {
    this.announcement = { key, values, at: this.clock.now() };
  }

  /** Forget everything about the person (the typed ID too). */
  forget() {
    this.session = null;
    this.name = null;
    this.jobs = [];
    this.selectable = false;
    this.selected = new Set();
    this.copies = 1;
    this.release = null;
    this.summary = null;
    this.confirm = null;
    this.pending = new Map();
    this.busy = false;
    this.warning = false;
    this.typed = "";
    for (const name of ["idle", "warn", "fallback", "trailing"]) this._stop(name);
  }

  _timer(name, ms, fn) {
    this._stop(name);
    this.timers[name] = this.clock.setTimeout(() => {
      delete this.timers[name];
      fn();
    }, ms);
  }

  _stop(name) {
    if (this.timers[name] !== undefined) this.clock.clearTimeout(this.timers[name]);
    delete this.timers[name];
  }

  /** Show a message; on the signed-out screen it goes after MESSAGE_TTL. */
  showMessage(message) {
    this.message = message;
    if (message && !this.signedIn) this._timer("message", MESSAGE_TTL, () => this._set({ message: null }));
    else this._stop("message");
    if (message) this.announcement = { message, at: this.clock.now() };
    this.changed();
  }

  showError(err) {
    this.showMessage({ kind: "error", error: err });
  }

  // -- the subscription (link.js) -----------------------------------------------------------

  /** A (new) configuration: subscribe for it. */
  async setConfig(config) {
    this.config = { ...DEFAULTS, ...config };
    this.link.retries = 0;
    await this.link.subscribe();
  }

  connectionLost() {
    this.link.connectionLost();
  }

  connectionBack() {
    return this.link.connectionBack();
  }

  stop() {
    this.link.stop();
  }

  // -- events (events.js) --------------------------------------------------------------------

  onEvent(event) {
    onPanelEvent(this, event);
  }

  // -- activity and idle -------------------------------------------------------------------

  /** The person did something: restart the timers, tell the server now and then. */
  activity({ force = false } = {}) {
    const warned = this.warning;
    this.warning = false;
    if (!this.session) {
      if (this.typed) this._timer("fallback", (this._idleSeconds() + FALLBACK_EXTRA / 1000) * 1000, () => this._set({ typed: "" }));
      if (warned) this.changed();
      return;
    }
    const now = this.clock.now();
    // After a release the server signs out within seconds: every tap must reach it.
    if (force || warned || this.state === State.FINISHED || now - this.touched > TOUCH_EVERY) {
      this._touch();
    } else if (this.timers.trailing === undefined) {
      // A tap between two touches is told a little later: the server's idle timer (and
      // so the warning, timed from the last touch) never lags more than TOUCH_EVERY.
      this._timer("trailing", this.touched + TOUCH_EVERY - now, () => this.session && this._touch());
    }
    if (warned) this.changed();
  }

  /** Tell the server the person is here; the idle timers count from now, as its own. */
  _touch() {
    this._stop("trailing");
    this.touched = this.clock.now();
    this._armIdle();
    this.sessionCall("ezeep/panel/touch").catch((err) => this._failed(err));
  }

  _idleSeconds() {
    return this.config?.idle_timeout ?? DEFAULTS.idle_timeout;
  }

  _armIdle() {
    const seconds = this._idleSeconds();
    this._timer("warn", warnAfter(seconds), () => {
      if (this.state === State.RELEASING) this._armIdle();
      else if (this.session) {
        this._announce("idle_warning", { seconds: this.warningSeconds });
        this._set({ warning: true });
      }
    });
    // The server signs out after the idle timeout; this is the fallback (a lost event).
    this._timer("idle", seconds * 1000 + FALLBACK_EXTRA, () => {
      if (this.state === State.RELEASING) this._armIdle();
      else if (this.session) this.signOut({ key: "signed_out_idle", values: { seconds } });
    });
  }

  // -- commands ----------------------------------------------------------------------------

  /**
   * A command for the person signed in now. Its answer (or error) counts only while they
   * still are: one that arrives after a sign-out or another sign-in throws STALE.
   */
  async sessionCall(type, data = {}) {
    const session = this.session;
    let result;
    try {
      result = await this.conn.call(type, { session, ...data });
    } catch (err) {
      throw session === this.session ? err : STALE;
    }
    if (session !== this.session) throw STALE;
    return result;
  }

  /** A command failed: a session the server ended clears the card; others are shown. */
  _failed(err) {
    // A command cut by a lost connection (haws code 3): connectionLost tells the person.
    if (err === STALE || err?.code === 3) return;
    if (err?.code === "session_expired") this.clear();
    this.showError(err);
  }

  async _run(work) {
    this.busy = true;
    this.activity();
    this.changed();
    try {
      await work();
    } catch (err) {
      this._failed(err);
    } finally {
      this.busy = false;
      this.changed();
    }
  }

  /** Clear everything shown about the person (no message). */
  clear() {
    this.forget();
    if (this.state !== State.STARTING && this.state !== State.NO_STATION) this.state = State.SIGNED_OUT;
    this.message = null;
    this.changed();
  }

  press(key) {
    if (this.typed.length < 64) this.typed += key;
    this.message = null;
    this.activity();
    this.changed();
  }

  setTyped(value) {
    this.typed = value.slice(0, 64);
    this.activity();
    this.changed();
  }

  /** Sign in with the typed ID, or an ID a keyboard-mode reader typed (source "reader"). */
  signIn(source = "keypad", id = null) {
    const userId = (id ?? this.typed).trim();
    this.typed = ""; // the ID is not kept, not even in the field
    if (!userId || !this.canSignIn || (this.busy && this.state === State.SIGNING_IN)) {
      this.changed();
      return Promise.resolve();
    }
    const old = this.session;
    this.clear(); // the previous person's screen goes at once
    if (old) this.conn.call("ezeep/panel/sign_out", { session: old }).catch(() => {});
    this.state = State.SIGNING_IN;
    const signIns = this.signIns;
    return this._run(async () => {
      let result;
      try {
        result = await this.conn.call("ezeep/panel/sign_in", {
          entry_id: this.config.entry_id,
          user_id: userId,
          ...(source === "reader" ? { source } : {}),
        });
      } catch (err) {
        // session_expired: a newer sign-in at this card (a scan) overtook this one.
        if (err?.code === "session_expired" || signIns !== this.signIns) throw STALE;
        if (this.state === State.SIGNING_IN) this.state = State.SIGNED_OUT;
        throw err;
      }
      if (signIns !== this.signIns) return;
      this._signedIn(result);
    });
  }

  _signedIn(result) {
    this.forget();
    this.message = null;
    this._stop("message");
    this.session = result.session;
    this.name = result.name;
    this.state = State.JOBS;
    this._setJobs(result);
    this._announce(result.name ? "hello" : "signed_in", { name: result.name });
    this.touched = this.clock.now();
    this._armIdle();
    this.changed();
    if (this.config.release_all_on_sign_in && this.releasable().length) this.releaseJobs(null);
  }

  _setJobs({ jobs, selectable }) {
    this.jobs = jobs;
    this.selectable = selectable;
    // Held jobs are never in the selection, nor are jobs gone from the list.
    const names = new Set(jobs.filter((job) => !job.on_hold).map((job) => job.job));
    this.selected = new Set([...this.selected].filter((name) => names.has(name)));
  }

  signOut(message = null) {
    const session = this.session;
    this.clear();
    if (message) this.showMessage({ kind: "info", ...message });
    if (session) this.conn.call("ezeep/panel/sign_out", { session }).catch(() => {});
  }

  toggle(name, checked) {
    const job = this.jobs.find((item) => item.job === name);
    const selected = new Set(this.selected);
    if (checked && job && !job.on_hold) selected.add(name);
    else selected.delete(name);
    this.selected = selected;
    this.activity();
    this.changed();
  }

  setCopies(value) {
    this.copies = Math.max(1, Math.min(99, Number.parseInt(value, 10) || 1));
    this.activity();
    this.changed();
  }

  /** The chosen jobs in list order (held ones never). */
  selectedJobs() {
    return this.jobs.filter((job) => this.selected.has(job.job) && !job.on_hold).map((job) => job.job);
  }

  releaseJobs(names) {
    if (this.state === State.RELEASING || this.busy) return Promise.resolve();
    return this._run(async () => {
      this.message = null;
      this.summary = null;
      const result = await this.sessionCall("ezeep/panel/release", { jobs: names, copies: this.copies });
      const queued = result.jobs.map((job) => ({ ...job, status: job.result, done: 0 }));
      this.selected = new Set();
      if (!queued.length) {
        this.showMessage({ kind: "info", key: "nothing_to_release" });
        return;
      }
      // Progress may have come before the answer: keep what it said.
      const seen = new Map((this.release?.jobs ?? []).map((job) => [job.job, job]));
      this.release = { jobs: queued.map((job) => seen.get(job.job) ?? job), canceling: false, own: true };
      if (this.state !== State.FINISHED) this.state = State.RELEASING;
      this._announce("printing");
    });
  }

  cancel() {
    if (!this.release || this.release.canceling) return Promise.resolve();
    this.release = { ...this.release, canceling: true };
    this.activity();
    this.changed();
    return this.sessionCall("ezeep/panel/cancel").catch((err) => {
      if (this.release) this.release = { ...this.release, canceling: false };
      this._failed(err);
    });
  }

  /** Ask before deleting (a tap: activity, so the post-release sign-out waits). */
  askDelete(job) {
    this.confirm = job;
    this.activity({ force: true });
    this.changed();
  }

  closeConfirm() {
    this.confirm = null;
    this.activity();
    this.changed();
  }

  deleteJob(name) {
    this.confirm = null;
    return this._jobCommand(name, "delete", "ezeep/panel/delete", { job: name });
  }

  hold(name, hold) {
    if (hold) this.selected = new Set([...this.selected].filter((item) => item !== name));
    return this._jobCommand(name, hold ? "hold" : "release_hold", "ezeep/panel/hold", { job: name, hold });
  }

  /** One job's action; the row shows it pending until it is answered. */
  async _jobCommand(name, action, type, data) {
    if (this.pending.has(name)) return;
    this.pending = new Map(this.pending).set(name, action);
    this.message = null;
    this.activity();
    this.changed();
    try {
      this._setJobs(await this.sessionCall(type, data));
    } catch (err) {
      this._failed(err);
    } finally {
      if (this.pending.has(name)) {
        const pending = new Map(this.pending);
        pending.delete(name);
        this.pending = pending;
      }
      this.changed();
    }
  }

  /** "Stay signed in" on the idle warning. */
  stay() {
    this.activity({ force: true });
    this.changed();
  }
}
