"""Demo scenario for ``python -m tests.simulator`` and ``scripts/develop``.

All ids and the password are obviously fake.
"""

from .server import SimJob, Simulator

DEMO_PASSWORD = "sim-password"
DEMO_PRINTERS: tuple[str, ...] = ("printer-1", "printer-2")
DEMO_USER_IDS: tuple[str, ...] = ("demo-user-1", "demo-user-2", "card-0001", "4711")
#: The demo person whose job lists carry ``X-FMP-Visible: 1`` (single jobs may be chosen,
#: deleted and held): an ID of digits, typed on the release panel's keypad.
DEMO_PANEL_USER = "4711"

_T0 = 1665560851  # 2022-10-12 07:47:31 UTC, like the spec's sample


def _name(n: int) -> str:
    return f"2022-10-12_07.{47 + n:02d}.31_demo-job-{n:04d}"


def demo_jobs() -> dict[str, list[SimJob]]:
    """Fresh demo queues per user id (new objects on every call)."""
    return {
        "demo-user-1": [
            SimJob(
                _name(1),
                "Präsentation: Quartalsübersicht.pptx",
                size=4632133,
                created=_T0,
                job_id="00000000-0000-4000-8000-000000000001",
                steps=5,
                step_delay=0.5,
            ),
            SimJob(
                _name(2),
                'Brief an "Müller & Söhne".docx',
                driver_name="ezeep Blue Printer",
                size=11993,
                created=_T0 + 60,
                steps=2,
                step_delay=0.5,
            ),
            SimJob(
                _name(3),
                "Fotos: Urlaub Zürich.png",
                size=100117,
                created=_T0 + 120,
                progress_type="Percentage",
                steps=4,
                step_delay=0.5,
            ),
            SimJob(
                _name(4),
                "Entwurf (zurückgehalten).pdf",
                size=2048,
                created=_T0 + 180,
                on_hold=True,
                step_delay=0.5,
            ),
        ],
        "demo-user-2": [
            SimJob(
                _name(5),
                "Poster A3.pdf",
                size=812345,
                created=_T0 + 240,
                printers=frozenset({"printer-2"}),
                steps=1,
                step_delay=0.5,
            ),
            SimJob(
                _name(6),
                "",  # empty display name: clients show the file name
                size=5000,
                created=_T0 + 300,
                steps=3,
                step_delay=0.5,
            ),
            SimJob(
                _name(7),
                "Papierstau.pdf",
                size=7000,
                created=_T0 + 360,
                steps=4,
                step_delay=0.5,
                fail_code=1,
                fail_after=2,
                os_error=5,
                os_error_text="Access denied",
            ),
        ],
        "card-0001": [],
        DEMO_PANEL_USER: [
            SimJob(
                _name(8),
                "Einladung Sommerfest.pdf",
                size=254000,
                created=_T0 + 420,
                steps=3,
                step_delay=1.0,
            ),
            SimJob(
                _name(9),
                "Speiseplan KW 42.docx",
                size=38000,
                created=_T0 + 480,
                steps=2,
                step_delay=1.0,
            ),
            SimJob(
                _name(10),
                "Alter Entwurf.pdf",
                size=1200,
                created=_T0 + 540,
                steps=1,
                step_delay=0.5,
            ),
        ],
    }


def populate(sim: Simulator) -> None:
    """Add the demo users, jobs and printers to a simulator."""
    sim.printers.update(DEMO_PRINTERS)
    for user_id, jobs in demo_jobs().items():
        sim.add_user(user_id, jobs)
    sim.visible_for[DEMO_PANEL_USER] = "1"


def demo_simulator(password: str = DEMO_PASSWORD, *, latency: float = 0.0) -> Simulator:
    """A stopped simulator with the demo scenario."""
    sim = Simulator(password, printers=DEMO_PRINTERS, latency=latency)
    populate(sim)
    return sim
