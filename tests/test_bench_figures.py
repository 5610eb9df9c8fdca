"""The benchmark's arithmetic: what `make bench` reports is computed as its docs say."""

from bench.run_all import bracketed, component_share


def test_the_baseline_is_the_mean_time_of_the_runs_either_side():
    before = {"docs": 100, "processes": 2, "seconds": 4.0, "docs_per_s": 25.0}
    after = {"docs": 100, "processes": 2, "seconds": 6.0, "docs_per_s": 16.67}
    baseline = bracketed(before, after)
    assert baseline["seconds"] == 5.0
    assert baseline["docs_per_s"] == 20.0  # from the mean time, not the mean of the two rates (20.83)
    assert baseline["runs"] == [before, after]


def test_a_component_share_counts_the_pipeline_only():
    stages = {"enrich:tokenizer": 1.0, "enrich:parser": 6.0, "enrich:wirehouse_attributions": 3.0,
              "enrich:rows": 5.0, "identity": 9.0}
    assert component_share(stages, "wirehouse_attributions") == 0.3
