"""Every scheduler's learning-rate (and momentum) sequence against torch's, over many epochs,
plus state_dict round trips and construction errors."""
import copy
import math
import warnings

import numpy as np
import pytest
import torch

import ember

EPOCHS = 60


def _optimizer(lib, kind="sgd"):
    a = lib.zeros(2, requires_grad=True)
    b = lib.zeros(3, requires_grad=True)
    groups = [{"params": [a]}, {"params": [b], "lr": 0.05}]
    if kind == "adam":
        return lib.optim.Adam(groups, lr=0.1)
    return lib.optim.SGD(groups, lr=0.1, momentum=0.9)


def _scale(epoch):
    return 0.95 ** epoch


def _mult(epoch):
    return 0.9 if epoch % 3 else 1.05


CASES = {
    "LambdaLR": ("sgd", lambda m, o: m.LambdaLR(o, [_scale, lambda e: 1 / (1 + e)])),
    "MultiplicativeLR": ("sgd", lambda m, o: m.MultiplicativeLR(o, _mult)),
    "StepLR": ("sgd", lambda m, o: m.StepLR(o, step_size=7, gamma=0.5)),
    "MultiStepLR": ("sgd", lambda m, o: m.MultiStepLR(o, [5, 12, 12, 30], gamma=0.3)),
    "ConstantLR": ("sgd", lambda m, o: m.ConstantLR(o, factor=0.25, total_iters=9)),
    "LinearLR": ("sgd", lambda m, o: m.LinearLR(o, start_factor=0.1, end_factor=0.9,
                                                total_iters=23)),
    "ExponentialLR": ("sgd", lambda m, o: m.ExponentialLR(o, gamma=0.93)),
    "PolynomialLR": ("sgd", lambda m, o: m.PolynomialLR(o, total_iters=40, power=2.5)),
    "CosineAnnealingLR": ("sgd", lambda m, o: m.CosineAnnealingLR(o, T_max=17, eta_min=1e-3)),
    "CosineAnnealingWarmRestarts": ("sgd", lambda m, o: m.CosineAnnealingWarmRestarts(
        o, T_0=5, T_mult=2, eta_min=1e-4)),
    "CyclicLR-triangular": ("sgd", lambda m, o: m.CyclicLR(o, 0.01, [0.1, 0.2],
                                                             step_size_up=7,
                                                             step_size_down=4)),
    "CyclicLR-triangular2": ("sgd", lambda m, o: m.CyclicLR(o, 0.01, 0.1, step_size_up=5,
                                                              mode="triangular2")),
    "CyclicLR-exp_range": ("adam", lambda m, o: m.CyclicLR(o, 0.01, 0.1, step_size_up=6,
                                                             mode="exp_range", gamma=0.97,
                                                             base_momentum=0.7,
                                                             max_momentum=0.95)),
    "CyclicLR-scale_fn": ("sgd", lambda m, o: m.CyclicLR(o, 0.01, 0.1, step_size_up=4,
                                                           scale_fn=lambda x: 1 / (1 + x),
                                                           scale_mode="iterations",
                                                           cycle_momentum=False)),
    "OneCycleLR-cos": ("sgd", lambda m, o: m.OneCycleLR(o, [0.5, 1.0], total_steps=EPOCHS + 1)),
    "OneCycleLR-linear-three_phase": ("adam", lambda m, o: m.OneCycleLR(
        o, 0.5, epochs=EPOCHS + 1, steps_per_epoch=1, pct_start=0.25,
        anneal_strategy="linear", three_phase=True, div_factor=10.0, final_div_factor=100.0)),
    "SequentialLR": ("sgd", lambda m, o: m.SequentialLR(
        o, [m.LinearLR(o, start_factor=0.2, total_iters=6),
            m.ExponentialLR(o, gamma=0.9), m.CosineAnnealingLR(o, T_max=10)],
        milestones=[6, 25])),
    "ChainedScheduler": ("sgd", lambda m, o: m.ChainedScheduler(
        [m.ConstantLR(o, factor=0.5, total_iters=4), m.ExponentialLR(o, gamma=0.95),
         m.StepLR(o, step_size=10, gamma=0.5)])),
}


def _momenta(opt):
    return [g["betas"][0] if "betas" in g else g["momentum"] for g in opt.param_groups]


def _trace(lib, name, epochs, opt=None, sched=None):
    kind, make = CASES[name]
    opt = opt or _optimizer(lib, kind)
    sched = sched or make(lib.optim.lr_scheduler, opt)
    out = [(list(sched.get_last_lr()), _momenta(opt))]
    for _ in range(epochs):
        opt.step()
        sched.step()
        out.append((list(sched.get_last_lr()), _momenta(opt)))
        assert [g["lr"] for g in opt.param_groups] == out[-1][0]
    return opt, sched, out


@pytest.mark.parametrize("name", sorted(CASES))
def test_sequence_matches_torch(name):
    _, _, e_trace = _trace(ember, name, EPOCHS)
    _, _, t_trace = _trace(torch, name, EPOCHS)
    for epoch, ((e_lr, e_m), (t_lr, t_m)) in enumerate(zip(e_trace, t_trace)):
        np.testing.assert_allclose(e_lr, t_lr, rtol=1e-13, err_msg="epoch %d" % epoch)
        np.testing.assert_allclose(e_m, t_m, rtol=1e-13, err_msg="epoch %d" % epoch)
    # A schedule that stays constant would pass trivially: make sure this one moves.
    assert len({tuple(lr) for lr, _ in e_trace}) > 1


@pytest.mark.parametrize("name", sorted(CASES))
def test_state_dict_round_trip(name):
    n, m = 13, 20
    _, _, straight = _trace(ember, name, n + m)
    opt, sched, _ = _trace(ember, name, n)
    opt_sd, sched_sd = copy.deepcopy(opt.state_dict()), copy.deepcopy(sched.state_dict())
    kind, make = CASES[name]
    opt2 = _optimizer(ember, kind)
    sched2 = make(ember.optim.lr_scheduler, opt2)
    opt2.load_state_dict(opt_sd)
    sched2.load_state_dict(sched_sd)
    _, _, resumed = _trace(ember, name, m, opt2, sched2)
    assert resumed == straight[n:]


def test_state_dict_keys_match_torch():
    for name in ("StepLR", "CosineAnnealingLR", "CyclicLR-triangular", "OneCycleLR-cos",
                 "SequentialLR"):
        _, e_sched, _ = _trace(ember, name, 3)
        _, t_sched, _ = _trace(torch, name, 3)
        assert set(e_sched.state_dict()) == set(t_sched.state_dict()), name


def _plateau(lib, metrics, **kwargs):
    opt = _optimizer(lib)
    sched = lib.optim.lr_scheduler.ReduceLROnPlateau(opt, **kwargs)
    out = []
    for value in metrics:
        opt.step()
        sched.step(value)
        out.append(list(sched.get_last_lr()))
    return sched, out


@pytest.mark.parametrize("kwargs", [
    dict(),
    dict(mode="max", factor=0.5, patience=2, threshold=0.05, threshold_mode="abs"),
    dict(mode="min", factor=0.3, patience=1, cooldown=3, min_lr=[0.01, 0.004]),
    dict(mode="max", patience=0, threshold=0.1, min_lr=0.02, eps=1e-3),
])
def test_reduce_lr_on_plateau_matches_torch(kwargs):
    rng = np.random.default_rng(0)
    metrics = list(np.cumsum(rng.normal(0, 1, 80)) * 0.1 + np.sin(np.arange(80) / 5.0))
    e_sched, e_out = _plateau(ember, metrics, **kwargs)
    t_sched, t_out = _plateau(torch, metrics, **kwargs)
    assert e_out == t_out
    assert len({tuple(x) for x in e_out}) > 1
    e_sd, t_sd = e_sched.state_dict(), t_sched.state_dict()
    assert set(e_sd) == set(t_sd)
    assert e_sd["best"] == t_sd["best"] and e_sd["num_bad_epochs"] == t_sd["num_bad_epochs"]


def test_closed_form_with_explicit_epoch_matches_torch():
    for name in ("StepLR", "MultiStepLR", "ExponentialLR", "CosineAnnealingLR", "LinearLR",
                 "PolynomialLR", "ConstantLR"):
        results = []
        for lib in (ember, torch):
            kind, make = CASES[name]
            opt = _optimizer(lib, kind)
            sched = make(lib.optim.lr_scheduler, opt)
            lrs = []
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                for epoch in (3, 10, 4, 30, 17):
                    opt.step()
                    sched.step(epoch)
                    lrs.append(sched.get_last_lr())
            results.append(lrs)
        np.testing.assert_allclose(results[0], results[1], rtol=1e-13, err_msg=name)


def test_warm_restarts_fractional_epochs_match_torch():
    results = []
    for lib in (ember, torch):
        opt = _optimizer(lib)
        sched = lib.optim.lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=3, T_mult=2)
        lrs = []
        for epoch in np.arange(0, 20, 0.4):
            opt.step()
            sched.step(float(epoch))
            lrs.append(sched.get_last_lr())
        results.append(lrs)
    np.testing.assert_allclose(results[0], results[1], rtol=1e-13)


def test_warnings_match_torch():
    for lib in (ember, torch):
        opt = _optimizer(lib)
        sched = lib.optim.lr_scheduler.StepLR(opt, 3)
        with pytest.warns(UserWarning, match="before `optimizer.step\\(\\)`"):
            sched.step()
        with pytest.warns(UserWarning, match="get_last_lr"):
            sched.get_lr()


ERRORS = {
    "not_optimizer": lambda m, o: m.StepLR(object(), 3),
    "constant_factor": lambda m, o: m.ConstantLR(o, factor=1.5),
    "linear_start": lambda m, o: m.LinearLR(o, start_factor=0),
    "warm_T0": lambda m, o: m.CosineAnnealingWarmRestarts(o, T_0=0),
    "warm_Tmult": lambda m, o: m.CosineAnnealingWarmRestarts(o, T_0=2, T_mult=0),
    "onecycle_steps": lambda m, o: m.OneCycleLR(o, 0.1),
    "onecycle_pct": lambda m, o: m.OneCycleLR(o, 0.1, total_steps=10, pct_start=1),
    "onecycle_strategy": lambda m, o: m.OneCycleLR(o, 0.1, total_steps=10,
                                                   anneal_strategy="exp"),
    "cyclic_mode": lambda m, o: m.CyclicLR(o, 0.01, 0.1, mode="zigzag"),
    "plateau_factor": lambda m, o: m.ReduceLROnPlateau(o, factor=1.0),
    "plateau_mode": lambda m, o: m.ReduceLROnPlateau(o, mode="median"),
    "lambda_count": lambda m, o: m.LambdaLR(o, [_scale]),
    "resume_without_initial_lr": lambda m, o: m.StepLR(o, 3, last_epoch=4),
    "sequential_milestones": lambda m, o: m.SequentialLR(o, [m.StepLR(o, 2)], [3]),
    "sequential_plateau": lambda m, o: m.SequentialLR(o, [m.ReduceLROnPlateau(o),
                                                          m.StepLR(o, 2)], [3]),
    "onecycle_too_many": lambda m, o: [(o.step(), s.step()) for s in [m.OneCycleLR(
        o, 0.1, total_steps=3)] for _ in range(5)],
}


@pytest.mark.parametrize("case", sorted(ERRORS))
def test_errors_match_torch(case):
    outcome = []
    for lib in (ember, torch):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                ERRORS[case](lib.optim.lr_scheduler, _optimizer(lib))
        except Exception as e:  # noqa: BLE001 - the type is what is compared
            outcome.append((type(e), str(e).replace("torch", "ember")))
        else:
            outcome.append(None)
    assert outcome[1] is not None
    assert outcome[0][0] is outcome[1][0]


def test_tensor_lr_is_updated_in_place():
    p = ember.zeros(2, requires_grad=True)
    lr = ember.tensor(0.1)
    opt = ember.optim.SGD([p], lr=lr)
    sched = ember.optim.lr_scheduler.ExponentialLR(opt, gamma=0.5)
    opt.step()
    sched.step()
    assert opt.param_groups[0]["lr"] is lr
    assert math.isclose(lr.item(), 0.05, rel_tol=1e-6)
