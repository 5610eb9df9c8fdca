"""A scorer shows its progress on a terminal and writes nothing anywhere else."""

from __future__ import annotations

import io

from wirehouse.evaluation.progress import scoring


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_terminal_sees_a_bar_and_every_item_passes_through():
    stream = Terminal()
    assert list(scoring(iter(range(5)), 5, "scoring quotes", stream=stream)) == [0, 1, 2, 3, 4]
    assert "scoring quotes" in stream.getvalue()


def test_a_pipe_or_a_log_gets_nothing():
    stream = io.StringIO()
    assert list(scoring(iter(range(5)), 5, "scoring quotes", stream=stream)) == [0, 1, 2, 3, 4]
    assert stream.getvalue() == ""
