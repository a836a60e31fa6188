/**
 * The card's subscription to its station: (re)subscribed whenever the websocket is
 * (re)established, retried with backoff while the station is not loaded ("Station
 * starting ..."), so a restart of Home Assistant or a late station needs no touch.
 * DOM-free, driven by the state module (state.js).
 */
import { State } from "./state.js";

/** Subscription errors that mean "not there yet": retry quietly ("Station starting"). */
const STARTING_CODES = new Set(["unknown_station", "unknown_command", 3, "connection_lost"]);
/** Backoff of the subscription retries (ms), the last one repeats. */
export const RETRY_DELAYS = [1000, 2000, 4000, 8000, 15000];

export class StationLink {
  constructor(model) {
    this.model = model;
    this.generation = 0;
    this.retries = 0;
    this.unsub = null;
    /** The websocket closed and no subscription has worked since. */
    this.lost = false;
  }

  /** Subscribe to the station's events; retried with backoff until the station is loaded. */
  async subscribe() {
    const m = this.model;
    const generation = ++this.generation;
    this._dropSubscription();
    m._stop("retry");
    if (!m.config) return;
    if (m.signedIn) m.clear();
    if (!m.config.entry_id && !(await this._onlyStation(generation))) return;
    if (generation !== this.generation) return;
    const config = m.config;
    try {
      const unsub = await m.conn.subscribe((event) => m.onEvent(event), {
        type: "ezeep/panel/subscribe",
        entry_id: config.entry_id,
        ...(config.reader_device_ids?.length ? { reader_device_ids: config.reader_device_ids } : {}),
        idle_timeout: config.idle_timeout,
      });
      if (generation !== this.generation) {
        this._unsubscribe(unsub);
        return;
      }
      this.unsub = unsub;
      this.retries = 0;
      this.lost = false;
      const starting = m.state === State.STARTING || m.state === State.NO_STATION;
      if (starting) m.state = State.SIGNED_OUT;
      if (m.message?.startup) m.message = null;
      m.changed();
    } catch (err) {
      if (generation === this.generation) this._retry(err);
    }
  }

  async _onlyStation(generation) {
    const m = this.model;
    try {
      const { stations } = await m.conn.call("ezeep/panel/stations");
      if (generation !== this.generation) return false;
      if (stations.length === 1 && !m.config.entry_id) {
        m.config = { ...m.config, entry_id: stations[0].entry_id };
        return true;
      }
      m._set({ state: State.NO_STATION });
    } catch (err) {
      if (generation === this.generation) this._retry(err);
    }
    return false;
  }

  _retry(err) {
    const m = this.model;
    const delay = RETRY_DELAYS[Math.min(this.retries, RETRY_DELAYS.length - 1)];
    this.retries += 1;
    if (m.signedIn) m.clear();
    m.state = State.STARTING;
    const code = err?.code;
    // Not there yet: "Station starting"; any other refusal is shown, and retried too.
    m.message = STARTING_CODES.has(code) ? null : { kind: "error", error: err, startup: true };
    m._timer("retry", delay, () => this.subscribe());
    m.changed();
  }

  _dropSubscription() {
    const m = this.model;
    const unsub = this.unsub;
    this.unsub = null;
    if (unsub) this._unsubscribe(unsub);
  }

  _unsubscribe(unsub) {
    const m = this.model;
    try {
      const result = unsub();
      result?.catch?.(() => {});
    } catch (err) {
      // The connection it belonged to is gone.
    }
  }

  /** The websocket closed: the server ended every session of this card. */
  connectionLost() {
    const m = this.model;
    this.generation++;
    this.unsub = null; // belonged to the closed connection
    this.lost = true;
    m._stop("retry");
    const wasSignedIn = m.signedIn || m.state === State.SIGNING_IN;
    if (wasSignedIn) m.clear();
    m.state = State.STARTING;
    m.message = wasSignedIn ? { kind: "error", key: "connection_lost", lost: true } : m.message;
    if (wasSignedIn) m._announce("connection_lost");
    m.changed();
  }

  /** The websocket is (re)established: subscribe again, the lost-connection note goes. */
  connectionBack() {
    const m = this.model;
    if (m.message?.lost) m.message = null;
    this.retries = 0;
    return this.subscribe();
  }

  /** The card left the page. */
  stop() {
    const m = this.model;
    this.generation++;
    this._dropSubscription();
    m.clear();
    for (const name of Object.keys(m.timers)) m._stop(name);
  }
}
