/** The release panel's state module, driven by a fake connection and a fake clock. */
import assert from "node:assert/strict";
import { test } from "node:test";

import { summarize } from "../../custom_components/ezeep/panel/events.js";
import { RETRY_DELAYS } from "../../custom_components/ezeep/panel/link.js";
import { PanelState, State, warnAfter } from "../../custom_components/ezeep/panel/state.js";
import { FakeClock, FakeConn, JOBS, refused, settle } from "./fakes.mjs";

const CONFIG = { entry_id: "entry", idle_timeout: 30 };

async function started(config = CONFIG) {
  const conn = new FakeConn();
  const clock = new FakeClock();
  const model = new PanelState({ conn, clock });
  await model.setConfig(config);
  return { conn, clock, model };
}

async function signedIn(config = CONFIG) {
  const ctx = await started(config);
  ctx.conn.answer("ezeep/panel/sign_in", () => ({ session: "s1", name: "Alice", ...structuredClone(JOBS) }));
  ctx.model.setTyped("4711");
  await ctx.model.signIn();
  return ctx;
}

test("subscribes, then signs in with the typed ID and forgets it", async () => {
  const { conn, model } = await signedIn();
  assert.equal(conn.subscribes[0].entry_id, "entry");
  assert.equal(model.state, State.JOBS);
  assert.equal(model.session, "s1");
  assert.equal(model.typed, "");
  const signIn = conn.calls.find((call) => call.type === "ezeep/panel/sign_in");
  assert.equal(signIn.user_id, "4711");
  assert.equal(signIn.source, undefined); // the keypad is the server's default
  assert.equal(model.announcement.key, "hello");
});

test("a reader's sign-in says so, and replaces the person signed in", async () => {
  const { conn, model } = await signedIn();
  conn.answer("ezeep/panel/sign_in", () => ({ session: "s2", name: null, jobs: [], selectable: false }));
  const pending = model.signIn("reader", "0815");
  assert.equal(model.session, null); // the previous person's screen goes at once
  assert.equal(model.state, State.SIGNING_IN);
  await pending;
  const calls = conn.calls.slice(-2);
  assert.deepEqual(calls[0], { type: "ezeep/panel/sign_out", session: "s1" });
  assert.equal(calls[1].source, "reader");
  assert.equal(calls[1].user_id, "0815");
  assert.equal(model.session, "s2");
});

test("station not loaded yet: Station starting, retried with backoff, no sign-in", async () => {
  const conn = new FakeConn();
  const clock = new FakeClock();
  let refuse = 3;
  conn.subscribeAnswer = () => {
    if (refuse-- > 0) throw refused(refuse === 2 ? "unknown_command" : "unknown_station");
  };
  const model = new PanelState({ conn, clock });
  await model.setConfig(CONFIG);
  assert.equal(model.state, State.STARTING);
  assert.equal(model.waiting, true);
  assert.equal(model.message, null); // no error text: the screen says "starting"
  assert.equal(model.canSignIn, false);
  model.setTyped("4711");
  await model.signIn();
  assert.ok(!conn.types().includes("sign_in"));
  await clock.advance(RETRY_DELAYS[0] - 1);
  assert.equal(conn.subscribes.length, 1);
  await clock.advance(1);
  assert.equal(conn.subscribes.length, 2);
  await clock.advance(RETRY_DELAYS[1] + RETRY_DELAYS[2]);
  assert.equal(conn.subscribes.length, 4);
  assert.equal(model.state, State.SIGNED_OUT);
  assert.equal(model.canSignIn, true);
});

test("loading says nothing about starting while the first answer is on its way", async () => {
  const conn = new FakeConn();
  let answer;
  conn.subscribe = () => new Promise((resolve) => (answer = resolve));
  const model = new PanelState({ conn, clock: new FakeClock() });
  const loading = model.setConfig(CONFIG);
  await settle();
  assert.equal(model.state, State.STARTING); // no sign-in yet
  assert.equal(model.waiting, false); // but no "Station starting" either
  answer(() => {});
  await loading;
  assert.equal(model.state, State.SIGNED_OUT);
  model.connectionLost();
  assert.equal(model.waiting, true);
});

test("another refusal of the subscription is shown and retried", async () => {
  const conn = new FakeConn();
  const clock = new FakeClock();
  let refuse = true;
  conn.subscribeAnswer = () => {
    if (refuse) throw refused("reader_not_bound");
  };
  const model = new PanelState({ conn, clock });
  await model.setConfig({ ...CONFIG, reader_device_ids: ["r1"] });
  assert.equal(conn.subscribes[0].reader_device_ids[0], "r1");
  assert.equal(model.message.error.code, "reader_not_bound");
  refuse = false;
  await clock.advance(RETRY_DELAYS[0]);
  assert.equal(model.state, State.SIGNED_OUT);
  assert.equal(model.message, null);
});

test("connection lost: told only to a person signed in, cleared when back", async () => {
  const { conn, model } = await signedIn();
  model.connectionLost();
  assert.equal(model.session, null);
  assert.equal(model.state, State.STARTING);
  assert.equal(model.message.key, "connection_lost");
  await model.connectionBack();
  assert.equal(conn.subscribes.length, 2); // subscribed again on the new connection
  assert.equal(model.state, State.SIGNED_OUT);
  assert.equal(model.message, null);

  model.connectionLost(); // nobody signed in: nothing to tell
  assert.equal(model.message, null);
});

test("a sign-in cut by a lost connection shows no error of its own", async () => {
  const { conn, model } = await started();
  let reject;
  conn.answer("ezeep/panel/sign_in", () => new Promise((_resolve, fail) => (reject = fail)));
  model.setTyped("4711");
  const pending = model.signIn();
  model.connectionLost();
  reject(refused(3));
  await pending;
  assert.equal(model.message?.error, undefined);
  assert.equal(model.state, State.STARTING);
});

test("the subscription of an old connection is not unsubscribed on the new one", async () => {
  const { conn, model } = await started();
  model.connectionLost();
  await model.connectionBack();
  assert.equal(conn.unsubscribed, 0);
});

test("held jobs never get into the selection", async () => {
  const { conn, model } = await signedIn();
  model.toggle("c.tpf", true); // held
  model.toggle("a.tpf", true);
  assert.deepEqual(model.selectedJobs(), ["a.tpf"]);
  conn.answer("ezeep/panel/hold", () => ({
    jobs: JOBS.jobs.map((job) => ({ ...job, on_hold: job.job !== "b.tpf" })),
    selectable: true,
  }));
  const holding = model.hold("a.tpf", true);
  assert.equal(model.pending.get("a.tpf"), "hold"); // the row knows its own action
  assert.deepEqual(model.selectedJobs(), []);
  await holding;
  assert.equal(model.pending.size, 0);
  assert.deepEqual(model.selectedJobs(), []);
});

test("a job list that holds a selected job drops it from the selection", async () => {
  const { model, conn } = await signedIn();
  model.toggle("b.tpf", true);
  conn.answer("ezeep/panel/delete", () => ({
    jobs: JOBS.jobs.map((job) => ({ ...job, on_hold: true })),
    selectable: true,
  }));
  await model.deleteJob("a.tpf");
  assert.deepEqual([...model.selected], []);
});

test("release: progress, then an honest summary; an error is never replaced", async () => {
  const { conn, model } = await signedIn();
  conn.answer("ezeep/panel/release", () => ({
    jobs: [
      { job: "a.tpf", name: "A.pdf", result: "queued" },
      { job: "b.tpf", name: "B.pdf", result: "queued" },
    ],
  }));
  await model.releaseJobs(null);
  assert.equal(model.state, State.RELEASING);
  conn.event({ type: "progress", session: "s1", job: "a.tpf", name: "A.pdf", status: "printing", done: 1, total: 2, unit: "pages" });
  assert.equal(model.release.jobs[0].done, 1);
  conn.event({ type: "progress", session: "s1", job: "a.tpf", name: "A.pdf", status: "completed", done: 2, total: 2, unit: "pages" });
  conn.event({
    type: "error",
    session: "s1",
    job: "b.tpf",
    name: "B.pdf",
    code: "7",
    error: "Paper jam",
    translation_key: "print_failed",
    placeholders: { name: "B.pdf", error: "Paper jam" },
  });
  assert.equal(model.message.kind, "error");
  conn.event({ type: "release_finished", session: "s1", ...JOBS });
  assert.equal(model.state, State.FINISHED);
  assert.deepEqual(model.summary, { printed: 1, failed: 1, canceled: 0, reason: "Paper jam" });
  assert.equal(model.message.error.translation_key, "print_failed"); // not "Done"
  assert.equal(model.announcement.key, "release_summary");
});

test("a release started elsewhere is followed to its end", async () => {
  const { conn, model } = await signedIn();
  conn.event({ type: "release_started", session: "s1" });
  assert.equal(model.state, State.RELEASING);
  conn.event({ type: "progress", session: "s1", job: "a.tpf", name: "A.pdf", status: "started", done: 0, total: null, unit: null });
  conn.event({ type: "progress", session: "s1", job: "a.tpf", name: "A.pdf", status: "completed", done: 1, total: 1, unit: "pages" });
  conn.event({ type: "release_finished", session: "s1", jobs: [], selectable: true });
  assert.equal(model.state, State.FINISHED);
  assert.equal(model.message.key, "release_summary");
  assert.equal(model.summary.printed, 1);
  conn.event({ type: "signed_out", session: "s1", reason: "released" });
  assert.equal(model.message.key, "signed_out_take_prints");
});

test("after a release every tap reaches the server (the short sign-out waits)", async () => {
  const { conn, clock, model } = await signedIn();
  conn.event({ type: "release_started", session: "s1" });
  conn.event({ type: "release_finished", session: "s1", ...JOBS });
  await clock.advance(1000);
  const before = conn.types().filter((type) => type === "touch").length;
  model.askDelete(JOBS.jobs[0]);
  model.activity();
  await settle();
  assert.equal(conn.types().filter((type) => type === "touch").length, before + 2);
});

test("a tap from before a release ended does not postpone the sign-out after it", async () => {
  const { conn, clock, model } = await signedIn();
  await clock.advance(1_000);
  model.toggle("a.tpf", true); // told at 5 s at the latest
  conn.event({ type: "release_started", session: "s1" });
  conn.event({ type: "release_finished", session: "s1", ...JOBS });
  await clock.advance(10_000);
  assert.equal(conn.types().filter((type) => type === "touch").length, 0);
});

test("signed in, taps are throttled to a touch every 5 s", async () => {
  const { conn, clock, model } = await signedIn();
  model.activity();
  model.activity();
  assert.equal(conn.types().filter((type) => type === "touch").length, 0);
  await clock.advance(5001);
  model.activity();
  assert.equal(conn.types().filter((type) => type === "touch").length, 1);
});

test("cancel is disabled while on its way", async () => {
  const { conn, model } = await signedIn();
  conn.event({ type: "release_started", session: "s1" });
  model.cancel();
  model.cancel();
  await settle();
  assert.equal(conn.types().filter((type) => type === "cancel").length, 1);
  assert.equal(model.release.canceling, true);
});

test("idle: a warning with time to stay, then the card's own fallback sign-out", async () => {
  const { conn, clock, model } = await signedIn();
  await clock.advance(warnAfter(30));
  assert.equal(model.warning, true);
  assert.equal(model.warningSeconds, 10);
  model.stay();
  assert.equal(model.warning, false);
  assert.equal(conn.types().at(-1), "touch"); // the server's timer restarts too
  await clock.advance(33_000);
  assert.equal(model.session, null);
  assert.equal(model.message.key, "signed_out_idle");
});

test("the warning is timed from what the server was last told", async () => {
  const { conn, clock, model } = await signedIn();
  await clock.advance(4_000);
  model.activity(); // between two touches: told at 5 s
  assert.equal(conn.types().filter((type) => type === "touch").length, 0);
  await clock.advance(1_000);
  assert.equal(conn.types().filter((type) => type === "touch").length, 1);
  // The server signs out 30 s after that touch: the warning comes 10 s before it.
  await clock.advance(warnAfter(30) - 1);
  assert.equal(model.warning, false);
  await clock.advance(1);
  assert.equal(model.warning, true);
});

test("no idle sign-out while printing", async () => {
  const { conn, clock, model } = await signedIn();
  conn.event({ type: "release_started", session: "s1" });
  await clock.advance(120_000);
  assert.equal(model.session, "s1");
  assert.equal(model.warning, false);
});

test("messages on the signed-out screen go after 10 s", async () => {
  const { conn, clock, model } = await started();
  conn.answer("ezeep/panel/sign_in", () => {
    throw refused("unknown_user", { translation_key: "unknown_user" });
  });
  model.setTyped("9999");
  await model.signIn();
  assert.equal(model.state, State.SIGNED_OUT);
  assert.equal(model.message.error.code, "unknown_user");
  await clock.advance(9_999);
  assert.ok(model.message);
  await clock.advance(1);
  assert.equal(model.message, null);
});

test("a late answer for the previous person is dropped", async () => {
  const { conn, model } = await signedIn();
  let answer;
  conn.answer("ezeep/panel/hold", () => new Promise((resolve) => (answer = resolve)));
  const holding = model.hold("a.tpf", true);
  conn.event({ type: "signed_in", session: "s2", name: "Bob", jobs: [], selectable: false });
  answer({ ...JOBS });
  await holding;
  assert.equal(model.session, "s2");
  assert.deepEqual(model.jobs, []);
});

test("a session the server ended clears the card", async () => {
  const { conn, clock, model } = await signedIn();
  conn.answer("ezeep/panel/touch", () => {
    throw refused("session_expired");
  });
  await clock.advance(6000);
  model.activity();
  await settle();
  assert.equal(model.session, null);
  assert.equal(model.message.error.code, "session_expired");
});

test("a reader scan refused on the server is shown on the signed-out screen", async () => {
  const { conn, model } = await started();
  conn.event({ type: "error", job: null, name: null, code: "unknown_user", translation_key: "unknown_user", placeholders: {} });
  assert.equal(model.message.error.code, "unknown_user");
});

test("a card without a station takes the only one, or asks for one", async () => {
  const conn = new FakeConn();
  conn.answer("ezeep/panel/stations", () => ({ stations: [{ entry_id: "only", title: "Office" }] }));
  const model = new PanelState({ conn, clock: new FakeClock() });
  await model.setConfig({});
  assert.equal(conn.subscribes[0].entry_id, "only");
  const none = new FakeConn();
  none.answer("ezeep/panel/stations", () => ({ stations: [] }));
  const lonely = new PanelState({ conn: none, clock: new FakeClock() });
  await lonely.setConfig({});
  assert.equal(lonely.state, State.NO_STATION);
});

test("summarize counts and keeps the first failure's reason", () => {
  const summary = summarize([
    { status: "completed" },
    { status: "failed", error: "Out of paper" },
    { status: "failed", error: "Later" },
    { status: "canceled" },
  ]);
  assert.deepEqual(summary, { printed: 1, failed: 2, canceled: 1, reason: "Out of paper" });
});
