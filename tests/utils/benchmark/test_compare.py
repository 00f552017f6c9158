"""utils.benchmark's Measurement statistics, Compare tables and fuzzers, against torch's on
the same data (the times are given, not measured, so the printouts must be equal)."""
import numpy as np
import pytest
import torch.utils.benchmark as tb

import ember
import ember.utils.benchmark as eb


def _measurements(lib, seed):
    rng = np.random.default_rng(seed)
    out = []
    for threads in (1, 4):
        for env in ((None,) if seed % 2 else ("A", "Bee")):
            for sub in ("small", "a much longer row"):
                for desc in ("eager", "fused", "x"):
                    if rng.random() < 0.2:
                        continue
                    base = 10 ** rng.uniform(-8, 1)
                    spread = rng.choice([0.02, 0.3, 1.0])
                    times = list(base * 7 * (1 + rng.uniform(0, spread, int(rng.integers(1, 9)))))
                    spec = lib.TaskSpec("x + y", "pass", label=str(rng.choice(["L1", "L2"])),
                                        sub_label=sub, description=desc, env=env,
                                        num_threads=threads)
                    out.append(lib.Measurement(7, times, spec))
    return out


@pytest.mark.parametrize("seed", range(16))
def test_compare_prints_as_torch(seed):
    texts = []
    for lib in (tb, eb):
        compare = lib.Compare(_measurements(lib, seed))
        if seed % 3 == 1:
            compare.trim_significant_figures()
        if seed % 4 == 1:
            compare.highlight_warnings()
        if seed % 5 == 1:
            compare.colorize(rowwise=seed % 2 == 0)
        texts.append(str(compare))
    assert texts[0] == texts[1]


def test_measurement_statistics_and_repr_as_torch():
    import re

    for times, spec in (([1e-5, 1.2e-5, 1.1e-5, 0.9e-5], dict(label="add", sub_label="a",
                                                             description="d1")),
                        ([3e-3], dict(setup="x = 1\ny = 2")),
                        ([2e-7, 9e-7, 2.1e-7], dict(sub_label="s")),
                        ([5.0, 5.1, 5.2, 5.05, 4.9], dict(label="slow", num_threads=2))):
        t = tb.Measurement(3, times, tb.TaskSpec("x\n+ y" if "setup" in spec else "x + y",
                                                 spec.pop("setup", "pass"), **spec))
        e = eb.Measurement(3, times, eb.TaskSpec(t.stmt, t.setup, **spec))
        for attr in ("median", "mean", "iqr", "significant_figures", "has_warnings", "title",
                     "env", "as_row_name", "times"):
            want = getattr(t, attr)
            if isinstance(want, str) or want is None:  # newer pytest refuses approx of a str
                assert getattr(e, attr) == want, attr
            else:
                assert getattr(e, attr) == pytest.approx(want, rel=1e-12), attr
        assert re.sub("0x[0-9a-f]+", "", repr(e)) == re.sub("0x[0-9a-f]+", "", repr(t))
    merged = eb.Measurement.merge([e, eb.Measurement(1, [5.3], e.task_spec)])
    assert len(merged) == 1 and merged[0].number_per_run == 1 and len(merged[0].times) == 6


def test_helpers_as_torch():
    for x in (3.14159, 2.5, 0.000123456, 12345.678, -3.14159, 0.25, 35.0):
        for n in (1, 2, 3):
            assert eb.trim_sigfig(x, n) == tb.trim_sigfig(x, n)
    for unit in ("ns", "us", "ms", "s"):
        assert eb.unit_to_english(unit) == tb.unit_to_english(unit)
    assert eb.ordered_unique([3, 1, 3, 2, 1]) == tb.ordered_unique([3, 1, 3, 2, 1])
    with pytest.raises(ValueError):
        tb.select_unit(0.0)
    with pytest.raises(ValueError):
        eb.select_unit(0.0)
    before = ember.get_num_threads()
    with eb.set_torch_threads(1):
        assert ember.get_num_threads() == 1
    assert ember.get_num_threads() == before
    assert [c.value for c in eb.Colorize] == [c.value for c in tb.Colorize]
    assert [(lang.name, lang.value) for lang in eb.Language] == [
        (lang.name, lang.value) for lang in tb.Language]
    with pytest.raises(ValueError, match="Expected an instance of `Measurement`"):
        eb.Compare([1.0])


def _fuzz(lib, mod, constraint):
    fuzzer = mod.Fuzzer(
        parameters=[mod.FuzzedParameter("k0", 1, 64, distribution="loguniform"),
                    mod.FuzzedParameter("k1", 1, 32, distribution="uniform"),
                    mod.FuzzedParameter("f", 0.0, 1.0, distribution="uniform"),
                    mod.FuzzedParameter("d", 1, 3, distribution="uniform"),
                    mod.FuzzedParameter("k2", 1, 8, distribution="uniform", strict=True),
                    [mod.FuzzedParameter("s%d" % i, 1, 2, distribution="uniform")
                     for i in range(3)]],
        tensors=[mod.FuzzedTensor("x", size=("k0", "k1", "k2"), steps=("s0", "s1", "s2"),
                                  dim_parameter="d", probability_contiguous=0.4,
                                  max_elements=4096),
                 mod.FuzzedTensor("y", size=("k1", 4), dtype=lib.int64)],
        constraints=[constraint], seed=7)
    draws = []
    for tensors, properties, params in fuzzer.take(10):
        shapes = {k: (tuple(v.shape), v.stride(), v.is_contiguous(), str(v.dtype)[-5:])
                  for k, v in tensors.items()}
        props = {k: {kk: vv.tolist() if hasattr(vv, "tolist") else vv for kk, vv in p.items()}
                 for k, p in properties.items()}
        draws.append((params, shapes, props))
    return draws, fuzzer.rejection_rate


def test_fuzzer_draws_torchs_parameters_and_layouts():
    def constraint(p):
        return p["k0"] * p["k1"] < 300

    e_draws, e_rate = _fuzz(ember, eb, constraint)
    t_draws, t_rate = _fuzz(__import__("torch"), tb, constraint)
    assert e_draws == t_draws and e_rate == t_rate > 0


@pytest.mark.parametrize("build", [
    lambda m: m.FuzzedParameter("a", distribution="normal"),
    lambda m: m.FuzzedParameter("a", distribution={1: 0.5, 2: 0.5}),  # torch's check is inverted
    lambda m: m.FuzzedParameter("a", distribution={1: -0.5}),
    lambda m: m.FuzzedParameter("a", 1, distribution={1: 0.2}),
    lambda m: m.Fuzzer([m.FuzzedParameter("x", 1, 2, distribution="uniform")],
                       [m.FuzzedTensor("x", size=(1,))]),
    lambda m: m.Fuzzer._resolve_aliases({"a": m.ParameterAlias("b"), "b": m.ParameterAlias("a")}),
])
def test_fuzzer_errors_as_torch(build):
    with pytest.raises((AssertionError, ValueError)) as t_err:
        build(tb)
    with pytest.raises(type(t_err.value)) as e_err:
        build(eb)
    assert str(e_err.value) == str(t_err.value)
    assert repr(eb.ParameterAlias("k")) == repr(tb.ParameterAlias("k"))
