"""torch.profiler / torch.autograd.profiler on ember: ember's ops timed, in torch's table."""
import torch

import ember


def _run_model(lib, profiler_module):
    model = lib.nn.Linear(4, 4)
    x = lib.randn(2, 4)
    with profiler_module.profile() as prof:
        with profiler_module.record_function("model_inference"):
            model(x).relu().sum()
    return prof


def test_table_has_torchs_columns_and_ember_ops():
    prof = _run_model(ember, ember.profiler)
    table = prof.key_averages().table(sort_by="cpu_time_total", row_limit=10)
    t_table = _run_model(torch, torch.profiler).key_averages().table(sort_by="cpu_time_total")
    assert table.splitlines()[1].split() == t_table.splitlines()[1].split()
    assert table.rstrip().splitlines()[-1].startswith("Self CPU time total: ")
    averages = {e.key: e for e in prof.key_averages()}
    assert {"model_inference", "aten::relu", "aten::sum"} <= set(averages)
    top = averages["model_inference"]
    assert top.count == 1 and top.cpu_time_total >= averages["aten::relu"].cpu_time_total
    assert top.self_cpu_time_total < top.cpu_time_total  # ops inside are its children
    assert len(table.splitlines()) <= 10 + 5


def test_autograd_profiler_counts_calls_and_stops_timing():
    x = ember.ones(3)
    with ember.autograd.profiler.profile() as prof:
        for _ in range(3):
            x = ember.exp(x * 0.1)
    averages = {e.key: e for e in prof.key_averages()}
    assert averages["aten::exp"].count == 3 and averages["aten::mul"].count == 3
    before = len(prof.function_events)
    ember.exp(x)
    assert len(prof.function_events) == before  # nothing recorded after the context


def test_schedule_keeps_active_steps(tmp_path):
    traces = []
    schedule = ember.profiler.schedule(wait=1, warmup=1, active=2, repeat=1)
    assert [schedule(i) for i in range(5)] == [
        getattr(ember.profiler.ProfilerAction, a.name)
        for a in map(torch.profiler.schedule(wait=1, warmup=1, active=2, repeat=1), range(5))]
    with ember.profiler.profile(schedule=schedule, on_trace_ready=traces.append) as prof:
        for step in range(5):
            with ember.profiler.record_function("step%d" % step):
                ember.ones(1) + 1
            prof.step()
    assert len(traces) == 1
    assert {e.key for e in prof.function_events if e.key.startswith("step")} == {"step2", "step3"}
    prof.export_chrome_trace(str(tmp_path / "trace.json"))
    assert (tmp_path / "trace.json").read_text().startswith('{"traceEvents"')
