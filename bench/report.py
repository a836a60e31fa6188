"""Print the Markdown table of a benchmark run: ``python -m bench.report bench-results.json``.

Ratios are "how many times better ours is": baseline ÷ ours for times and CPU, ours ÷
baseline for throughput.
"""

from __future__ import annotations

import json
from pathlib import Path
import sys
from typing import Any

#: The goals of issue 6, checked against the 20 ms figures.
OWN_TIME_BUDGET_MS = 5.0
POLL_500_BUDGET_MS = 2000.0
POLL_SPEEDUP_GOAL = 10.0
#: The goals of issue 19, at 1,000 people on one station (20 ms latency).
BOOT_BUDGET_S = 10.0
MB_PER_PERSON_BUDGET = 0.1
REQUESTS_PER_PERSON_MINUTE_BUDGET = 1.2


def _ms(value: float | None) -> str:
    if value is None:
        return "-"
    if value >= 1000:
        return f"{value / 1000:.2f} s"
    if value >= 100:
        return f"{value:.0f} ms"
    return f"{value:.1f} ms"


def _ratio(baseline: float | None, ours: float | None) -> str:
    if not baseline or not ours:
        return "-"
    return f"{baseline / ours:.1f}x"


def _num(value: float | None, unit: str = "") -> str:
    if value is None:
        return "-"
    text = f"{value:,.0f}" if value >= 100 else f"{value:.1f}"
    return f"{text}{unit}"


def table(results: dict[str, Any]) -> str:
    """Return the Markdown table (and the goals) of one run."""
    rows: list[tuple[str, str, str, str, str]] = []

    def row(what: str, latency: str, ours: str, base: str, ratio: str) -> None:
        rows.append((what, latency, ours, base, ratio))

    for latency, tag in sorted(results.get("tag", {}).items(), key=lambda i: int(i[0])):
        lat = f"{latency} ms"
        cold, warm, naive = tag["ours_cold"], tag["ours_warm"], tag["baseline"]
        row(
            f"Tag → first PrintJob, median ({cold['n']} runs)",
            lat,
            _ms(cold["median"]),
            _ms(naive["median"]),
            _ratio(naive["median"], cold["median"]),
        )
        row(
            "Tag → first PrintJob, p95",
            lat,
            _ms(cold["p95"]),
            _ms(naive["p95"]),
            _ratio(naive["p95"], cold["p95"]),
        )
        row(
            "Tag → first PrintJob, median, connection kept alive",
            lat,
            _ms(warm["median"]),
            "(new each time)",
            _ratio(naive["median"], warm["median"]),
        )
        row(
            "Round trips before PrintJob / our own time (median minus a bare client)",
            lat,
            f"{cold['round_trips_before_print']} / {_ms(cold['own_ms'])}",
            f"{naive['round_trips_before_print']} / "
            f"{_ms(naive['median'] - tag['bare_cold']['median'])}",
            "",
        )
    for latency, poll in sorted(
        results.get("poll", {}).items(), key=lambda i: int(i[0])
    ):
        lat = f"{latency} ms"
        for size, figures in sorted(poll.items(), key=lambda i: int(i[0])):
            ours, naive = figures["ours"], figures["baseline"]
            people = f"{size} user{'s' if size != '1' else ''}"
            row(
                f"Poll {people}: wall time",
                lat,
                _ms(ours["wall_ms"]),
                _ms(naive["wall_ms"]),
                _ratio(naive["wall_ms"], ours["wall_ms"]),
            )
            row(
                f"Poll {people}: requests / connections opened",
                lat,
                f"{ours['requests']:.0f} / {ours['connections_max']:.0f}",
                f"{naive['requests']:.0f} / {naive['connections']:.0f}",
                "",
            )
            row(
                f"Poll {people}: CPU of the HA process",
                lat,
                _ms(ours["cpu_ms"]),
                _ms(naive["cpu_ms"]),
                _ratio(naive["cpu_ms"], ours["cpu_ms"]),
            )
    for latency, prog in sorted(
        results.get("progress", {}).items(), key=lambda i: int(i[0])
    ):
        lat = f"{latency} ms"
        ours, naive = prog["ours"], prog["baseline"]
        row(
            f"Progress of a {prog['pages']}-page job: events/s on the bus",
            lat,
            _num(ours["events_per_s"]),
            _num(naive["events_per_s"]),
            _ratio(ours["events_per_s"], naive["events_per_s"]),
        )
        row(
            "Progress: CPU per event",
            lat,
            _num(ours["cpu_us_per_event"], " µs"),
            _num(naive["cpu_us_per_event"], " µs"),
            _ratio(naive["cpu_us_per_event"], ours["cpu_us_per_event"]),
        )
    startup = results.get("startup", {})
    if imp := startup.get("import"):
        row(
            "Import (HA already loaded) / cold with HA; baseline: import requests",
            "-",
            f"{_ms(imp['ours_ha_loaded_ms'])} / {_ms(imp['ours_cold_ms'])}",
            _ms(imp["baseline_requests_ms"]),
            "",
        )
    for latency, setup in sorted(
        startup.get("setup", {}).items(), key=lambda i: int(i[0])
    ):
        row(
            f"Set up an entry with {setup['users']} users; baseline: first poll",
            f"{latency} ms",
            _ms(setup["wall_ms"]),
            _ms(setup["baseline_first_poll_ms"]),
            _ratio(setup["baseline_first_poll_ms"], setup["wall_ms"]),
        )

    lines = [
        "| Measurement | Latency | Ours | Baseline | Ours better by |",
        "|---|---|---|---|---|",
        *(f"| {' | '.join(r)} |" for r in rows),
    ]
    lines += ["", *goals(results), *scale_table(results)]
    meta = results.get("meta", {})
    lines += [
        "",
        (
            f"{'Quick run, ' if meta.get('quick') else ''}"
            f"{meta.get('cpus', '?')} CPUs, Python {meta.get('python', '?')}, "
            f"load average {meta.get('load_before', '?')} before / "
            f"{meta.get('load_after', '?')} after, {meta.get('seconds', '?')} s."
        ),
    ]
    return "\n".join(lines)


def goals(results: dict[str, Any]) -> list[str]:
    """The issue's goals, each with the figure that decides it (20 ms latency)."""

    def mark(ok: bool) -> str:
        return "met" if ok else "**missed**"

    out = ["Goals (20 ms latency):", ""]
    tag = results.get("tag", {}).get("20")
    if tag:
        cold, warm = tag["ours_cold"], tag["ours_warm"]
        own = max(cold["own_ms"], warm["own_ms"])
        out.append(
            f"- Tag → first PrintJob within the unavoidable round trips "
            f"({cold['round_trips_before_print']}, GetJobList) + {OWN_TIME_BUDGET_MS:.0f} ms "
            f"of our own: {_ms(cold['own_ms'])} (new connection), {_ms(warm['own_ms'])} "
            f"(kept alive): {mark(own <= OWN_TIME_BUDGET_MS)}"
        )
        naive = tag["baseline"]["median"]
        out.append(
            f"- Tag → first PrintJob faster than the baseline: {_ms(cold['median'])} "
            f"vs {_ms(naive)}: {mark(cold['median'] < naive)}"
        )
    poll = results.get("poll", {}).get("20", {}).get("500")
    if poll:
        ours, naive = poll["ours"], poll["baseline"]
        limit = results.get("poll_concurrency")
        ok = ours["wall_ms"] <= POLL_500_BUDGET_MS and (
            limit is None or ours["connections_max"] <= limit
        )
        out.append(
            f"- 500 users refreshed within 2 s with at most {limit} connections: "
            f"{_ms(ours['wall_ms'])}, {ours['connections_max']:.0f} connections: "
            f"{mark(ok)}"
        )
        speedup = ours["users_per_s"] / naive["users_per_s"]
        out.append(
            f"- Polling throughput at 500 users >= {POLL_SPEEDUP_GOAL:.0f}x the "
            f"baseline's: {ours['users_per_s']:,.0f} vs {naive['users_per_s']:,.0f} "
            f"users/s = {speedup:.1f}x: {mark(speedup >= POLL_SPEEDUP_GOAL)}"
        )
    return out


def scale_table(results: dict[str, Any]) -> list[str]:
    """The scale run (issue 19): 1,000 people on a station, a sign-in's round trips."""
    scale, sign_in = results.get("scale"), results.get("sign_in", {})
    if not scale and not sign_in:
        return []

    def mark(ok: bool) -> str:
        return "met" if ok else "**missed**"

    out = ["", "| Scale | People / latency | Figure | Goal |", "|---|---|---|---|"]
    goals: list[str] = []
    if scale:
        for size, run in sorted(scale["runs"].items(), key=lambda i: int(i[0])):
            people = f"{size} / {run['latency_ms']:.0f} ms"
            out += [
                f"| Boot to loaded | {people} | {run['boot_s']:.2f} s | |",
                (
                    f"| Resident memory (before the station) | {people} | "
                    f"{run['rss_mb']:.0f} MB ({run['rss_before_mb']:.0f} MB) | |"
                ),
                (
                    f"| Requests per person and minute, two polls at {run['interval_s']} s "
                    f"| {people} | {run['requests_per_person_minute']:.2f} | |"
                ),
                f"| Poll wall time | {people} | {_ms(run['poll_wall_s'] * 1000)} | |",
            ]
            if "one_change_cpu_ms" in run:
                out.append(
                    f"| One person's list changed: CPU of the refresh / states written "
                    f"| {people} | {_ms(run['one_change_cpu_ms'])} / "
                    f"{run['one_change_writes']} | |"
                )
        big = scale["runs"][str(scale["people"])]
        sizes = sorted(int(size) for size in scale["runs"])
        out.append(
            f"| Memory per person (resident, {sizes[0]} to {sizes[-1]} people) | "
            f"{scale['people']} | {scale['mb_per_person'] * 1000:.0f} KB | "
            f"<= {MB_PER_PERSON_BUDGET * 1000:.0f} KB |"
        )
        out.append(
            f"| Memory per person (Python objects, tracemalloc) | {scale['people']} | "
            f"{scale['traced_mb_per_person'] * 1000:.0f} KB | |"
        )
        rate = big["requests_per_person_minute"]
        goals += [
            (
                f"- Boot to loaded at {scale['people']} people <= {BOOT_BUDGET_S:.0f} s: "
                f"{big['boot_s']:.2f} s: {mark(big['boot_s'] <= BOOT_BUDGET_S)}"
            ),
            (
                f"- Memory per person <= {MB_PER_PERSON_BUDGET} MB: "
                f"{scale['mb_per_person']:.3f} MB: "
                f"{mark(scale['mb_per_person'] <= MB_PER_PERSON_BUDGET)}"
            ),
            (
                f"- Requests per person and minute <= {REQUESTS_PER_PERSON_MINUTE_BUDGET}: "
                f"{rate:.2f}: {mark(rate <= REQUESTS_PER_PERSON_MINUTE_BUDGET)}"
            ),
        ]
    for latency, figures in sorted(sign_in.items(), key=lambda i: int(i[0])):
        for what, label in (("sign_in", "Panel sign-in"), ("get_jobs", "get_jobs")):
            fig = figures[what]
            out.append(
                f"| {label}: round trips / requests / median | 1 / {latency} ms | "
                f"{fig['round_trips']} / {fig['requests']} / {_ms(fig['median_ms'])} "
                f"| 1 round trip |"
            )
            goals.append(
                f"- {label} at {latency} ms in one round trip: {fig['round_trips']}: "
                f"{mark(fig['round_trips'] == 1)}"
            )
    if scale:
        out += ["", "Where the memory of the station goes (tracemalloc, by file):", ""]
        out += [f"- {top['where']}: {top['kb']:,.0f} KB" for top in scale["top_files"]]
    return [*out, "", "Goals (issue 19):", "", *goals]


def main() -> None:
    """Print the table of the results file named on the command line."""
    path = Path(sys.argv[1] if len(sys.argv) > 1 else "bench-results.json")
    sys.stdout.write(table(json.loads(path.read_text())) + "\n")


if __name__ == "__main__":
    main()
