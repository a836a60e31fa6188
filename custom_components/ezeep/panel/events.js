/**
 * The events of the card's subscription: a reader's sign-in, the end of a session, and the
 * progress, start and end of every release of the person signed in (whoever started it).
 * DOM-free, called by the state module (state.js).
 */
import { State } from "./state.js";

const FINAL = new Set(["completed", "canceled", "failed"]);

/** What a finished release did: counts and the first failure's reason. */
export function summarize(jobs) {
  const count = (status) => jobs.filter((job) => job.status === status).length;
  const failed = jobs.find((job) => job.status === "failed");
  return {
    printed: count("completed"),
    failed: count("failed"),
    canceled: count("canceled"),
    reason: failed?.error ?? null,
  };
}

export function onPanelEvent(m, event) {
  if (event.type === "signed_in") {
    m.signIns += 1; // a typed sign-in pending now was overtaken
    m._signedIn(event);
    return;
  }
  if (!event.session) {
    if (event.type === "error") {
      m.clear();
      m.showError(event);
    }
    return;
  }
  if (event.session !== m.session) return;
  if (event.type === "signed_out") signedOut(m, event.reason);
  else if (event.type === "progress" || event.type === "error") progress(m, event);
  else if (event.type === "release_started") releaseStarted(m);
  else if (event.type === "release_finished") releaseFinished(m, event);
}

function signedOut(m, reason) {
  const printed = (m.summary?.printed ?? 0) > 0;
  m.clear();
  if (reason === "idle") {
    m.showMessage({ kind: "info", key: "signed_out_idle", values: { seconds: m.config.idle_timeout } });
  } else if (reason === "released") {
    m.showMessage({ kind: "info", key: printed ? "signed_out_take_prints" : "signed_out" });
  } else {
    m.changed();
  }
}

function releaseStarted(m) {
  if (m.state === State.RELEASING) return;
  m.release = { jobs: [], canceling: false, own: false };
  m.summary = null;
  m.confirm = null;
  m._set({ state: State.RELEASING });
  m._announce("printing");
}

function progress(m, event) {
  if (!event.job) return;
  if (m.state !== State.RELEASING) releaseStarted(m);
  const status = event.type === "error" ? "failed" : event.status;
  const error = event.type === "error" ? event.placeholders?.error || event.error || null : undefined;
  const jobs = [...m.release.jobs];
  const index = jobs.findIndex((job) => job.job === event.job);
  const old = index >= 0 ? jobs[index] : { job: event.job, name: event.name, done: 0 };
  const job = { ...old, status, done: event.done ?? old.done, total: event.total ?? old.total, unit: event.unit ?? old.unit };
  if (error !== undefined) job.error = error;
  if (index >= 0) jobs[index] = job;
  else jobs.push(job);
  m.release = { ...m.release, jobs };
  if (event.type === "error") {
    m.showError({ ...event, translation_placeholders: event.placeholders });
  } else {
    if (status === "started") m._announce("announce_job_started", { name: job.name });
    if (FINAL.has(status)) m._announce(`status_${status}`);
    m.changed();
  }
}

function releaseFinished(m, event) {
  // A tap from before the end is not told now: it would cancel the short sign-out after it.
  m._stop("trailing");
  const jobs = m.release?.jobs ?? [];
  const summary = summarize(jobs);
  if (event.jobs) m._setJobs(event);
  m.summary = summary;
  m.release = m.release && { ...m.release, canceling: false };
  m.state = State.FINISHED;
  // An error stays: it is never replaced by "Done".
  if (m.message?.kind !== "error") {
    m.message = { kind: summary.failed ? "error" : "info", key: "release_summary", values: summary };
  }
  m._announce("release_summary", summary);
  m.changed();
}
