/** A fake Home Assistant connection and a fake clock for the state module's unit tests. */

export class FakeClock {
  constructor() {
    this.time = 0;
    this.next = 1;
    this.timers = new Map();
  }

  now() {
    return this.time;
  }

  setTimeout(fn, ms) {
    const id = this.next++;
    this.timers.set(id, { at: this.time + ms, fn });
    return id;
  }

  clearTimeout(id) {
    this.timers.delete(id);
  }

  /** Let `ms` pass, firing due timers in order. */
  async advance(ms) {
    const end = this.time + ms;
    for (;;) {
      const due = [...this.timers.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.timers.delete(due[0]);
      this.time = due[1].at;
      due[1].fn();
      await settle();
    }
    this.time = end;
  }
}

/** Let pending promise callbacks run. */
export async function settle() {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

export class FakeConn {
  constructor() {
    this.calls = [];
    this.subscribes = [];
    this.answers = new Map(); // type -> function(data) returning a value or throwing
    this.subscribeAnswer = () => undefined;
    this.onEvent = null;
    this.unsubscribed = 0;
  }

  answer(type, fn) {
    this.answers.set(type, fn);
  }

  async call(type, data = {}) {
    this.calls.push({ type, ...data });
    const fn = this.answers.get(type);
    if (!fn) return null;
    return fn(data);
  }

  async subscribe(onEvent, message) {
    this.subscribes.push(message);
    this.subscribeAnswer(message);
    this.onEvent = onEvent;
    return () => {
      this.unsubscribed += 1;
    };
  }

  types() {
    return this.calls.map((call) => call.type.replace("ezeep/panel/", ""));
  }

  /** Send an event on the subscription. */
  event(event) {
    this.onEvent(event);
  }
}

export function refused(code, extra = {}) {
  return Object.assign(new Error(code), { code, ...extra });
}

export const JOBS = {
  jobs: [
    { job: "a.tpf", name: "A.pdf", size: 1000, created: "2026-12-06T07:00:00Z", on_hold: false },
    { job: "b.tpf", name: "B.pdf", size: 2000, created: "2026-12-06T07:01:00Z", on_hold: false },
    { job: "c.tpf", name: "C.pdf", size: 3000, created: "2026-12-06T07:02:00Z", on_hold: true },
  ],
  selectable: true,
};
