"""The replay benchmark's CPU model: measured figures give rates, unmeasurable ones give none."""

from __future__ import annotations

from benchmarks.replay import cpu_model


def _cpu(main: float, worker: float) -> dict[str, float]:
    return {"main_cpu_ms_per_page": main, "worker_cpu_ms_per_page": worker}


def test_the_model_from_measured_cpu_per_page():
    model = cpu_model(_cpu(1.0, 4.0), _cpu(1.0, 4.0), floor_cpu=4.0, cores=2)
    assert model["serial_limit_pages_per_s"] == 1000.0
    assert model["one_process_vs_floor"] == 1.0  # the worker is the slower side, as slow as the floor
    assert model["all_cores_vs_one_process"] == 1.6  # 2 cores / 5 ms against 1 / 4 ms


def test_a_corpus_too_small_to_measure_gives_no_model_not_a_division_by_zero():
    # the quick run's 6 extra pages: the Scrapy process's CPU difference is zero, or negative by noise
    for main in (0.0, -0.2):
        model = cpu_model(_cpu(main, 3.0), _cpu(main, 3.0), floor_cpu=3.0, cores=2)
        assert model == {"serial_limit_pages_per_s": None, "one_process_vs_floor": None,
                         "all_cores_vs_one_process": None}
