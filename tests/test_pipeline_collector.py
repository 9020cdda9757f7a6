"""A build runs with the cyclic garbage collector paused, and it is on again afterwards,
however the build ends (digest.pipeline.collector_paused)."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

import digest.pipeline
from digest.config import load_config
from digest.errors import SourceError

SEEDS = str(Path(__file__).resolve().parents[1] / "seeds")


def test_paused_during_a_build_and_on_after(monkeypatch: pytest.MonkeyPatch,
                                            tmp_path: Path) -> None:
    seen: list[bool] = []
    real = digest.pipeline.find_figures

    def spying(*args: object, **kwargs: object) -> object:
        seen.append(gc.isenabled())
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(digest.pipeline, "find_figures", spying)
    config = load_config(None)
    edition = digest.pipeline.decide_edition(config, [SEEDS])
    assert seen == [False] and gc.isenabled()
    digest.pipeline.publish_edition(config, edition, tmp_path / "out", archive=False)
    assert gc.isenabled()


def test_on_again_after_a_failed_build() -> None:
    with pytest.raises(SourceError):
        digest.pipeline.decide_edition(load_config(None), ["/no/such/source"])
    assert gc.isenabled()


def test_left_off_when_the_caller_had_it_off() -> None:
    gc.disable()
    try:
        with digest.pipeline.collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()
