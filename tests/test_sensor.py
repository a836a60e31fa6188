"""The sensors of a person."""

from __future__ import annotations

import json

from hypothesis import given, settings, strategies as st

from custom_components.ezeep.coordinator.jobs import UserJobs
from custom_components.ezeep.release import ReleaseState
from custom_components.ezeep.sensor import SENSORS
from custom_components.ezeep.tpfm.parsing import parse_job_list

_TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)


@settings(max_examples=150, deadline=None)
@given(
    lines=st.lists(
        st.tuples(
            st.text(
                st.characters(exclude_characters=":\r\n", exclude_categories=("Cs",)),
                max_size=20,
            ),
            st.integers(-5, 2**40),
            st.integers(-(2**40), 2**40),
            _TEXT,
            _TEXT,
        ),
        max_size=30,
    ),
    junk=st.lists(_TEXT, max_size=5),
    visible=st.one_of(st.none(), _TEXT),
)
def test_generated_job_lists_reach_the_sensor(
    lines: list[tuple[str, int, int, str, str]], junk: list[str], visible: str | None
) -> None:
    """Any job list the server may send gives a sensor state and JSON-able attributes."""
    body = (
        "[Jobs]\r\n"
        + "".join(
            f'{name}:{size}:{created}:{created}:0:0:"{display}":"{driver}"\r\n'
            for name, size, created, display, driver in lines
        )
        + "".join(f"{j}\n" for j in junk)
    )
    job_list = parse_job_list(body, visible=visible == "1")
    jobs = UserJobs(jobs=job_list.jobs, visible=job_list.visible)
    state = ReleaseState()
    for description in SENSORS:
        value = description.value_fn(jobs, state)
        json.dumps(description.attributes_fn(jobs, state))
        assert value is None or isinstance(value, int | str)
    assert jobs.pending == len(job_list.jobs)
