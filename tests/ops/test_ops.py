"""Every registered op against torch: values, dtypes, gradients, gradcheck, gradgradcheck,
method / in-place / operator forms, and error types. Derived from ``ember.ops.registry.OPS``.
"""
import re

import numpy as np
import pytest
import torch

import ember
from ember.ops.registry import OPS
from tests.ops.harness import (assert_close, assert_same, check_same_error, flatten_outputs,
                               materialise, to_numpy, tolerances, torch_fn, weighted_loss,
                               weights)

_CASES = [(name, dt) for name, info in sorted(OPS.items()) for dt in info.dtypes]
_GRAD_CASES = [name for name, info in sorted(OPS.items()) if info.grad]
_BACKWARD_CASES = [(name, dt) for name in _GRAD_CASES
                   for dt in ("float32", "float64", "complex64", "complex128")
                   if dt in OPS[name].dtypes]
_ERROR_CASES = [name for name, info in sorted(OPS.items()) if info.errors is not None]


def _run(fn, args, kwargs):
    try:
        return fn(*args, **kwargs), None
    except Exception as e:  # noqa: BLE001 - compared with torch's exception below
        return None, e


def _samples(info, dtype):
    return list(info.samples(dtype))


@pytest.mark.parametrize("name,dtype", _CASES, ids=["%s-%s" % c for c in _CASES])
def test_forward_matches_torch(name, dtype):
    info = OPS[name]
    tfn = torch_fn(info)
    for i, sample in enumerate(_samples(info, dtype)):
        ea, ek, ta, tk, _, _ = materialise(sample, dtype, seed=i, requires_grad=False)
        t_out, t_err = _run(tfn, ta, tk)
        e_out, e_err = _run(info.func, ea, ek)
        what = "%s %s sample %d %r" % (name, dtype, i, sample)
        if check_same_error(what, e_err, t_err):
            continue
        atol, rtol = tolerances(info, dtype)
        e_flat, t_flat = flatten_outputs(e_out), flatten_outputs(t_out)
        assert len(e_flat) == len(t_flat), what
        for e, t in zip(e_flat, t_flat):
            if info.nondeterministic:
                assert tuple(e.shape) == tuple(t.shape)
                continue
            assert_close(e, t, atol, rtol, what)


@pytest.mark.parametrize("name,dtype", _BACKWARD_CASES, ids=["%s-%s" % c for c in _BACKWARD_CASES])
def test_backward_matches_torch(name, dtype):
    info = OPS[name]
    tfn = torch_fn(info)
    for i, sample in enumerate(_samples(info, dtype)):
        ea, ek, ta, tk, e_leaves, t_leaves = materialise(sample, dtype, seed=i)
        if not e_leaves:
            continue
        what = "%s %s sample %d %r" % (name, dtype, i, sample)
        t_out, t_err = _run(tfn, ta, tk)
        e_out, e_err = _run(info.func, ea, ek)
        if check_same_error(what + " forward", e_err, t_err):
            continue
        e_flat = [o for o in flatten_outputs(e_out) if isinstance(o, ember.Tensor)]
        t_flat = [o for o in flatten_outputs(t_out) if isinstance(o, torch.Tensor)]
        assert len(e_flat) == len(t_flat), "%s: %d outputs, torch %d" % (
            what, len(e_flat), len(t_flat))
        rng = np.random.default_rng(100 + i)
        e_terms, t_terms = [], []
        for e, t in zip(e_flat, t_flat):
            assert e.requires_grad == t.requires_grad, "%s: requires_grad %s != torch %s" % (
                what, e.requires_grad, t.requires_grad)
            if not t.requires_grad:
                continue
            w = weights(t, rng)
            e_terms.append(weighted_loss(e, w, ember))
            t_terms.append(weighted_loss(t, w, torch))
        if not t_terms:
            continue
        t_gr, t_err = _run(torch.autograd.grad, (t_terms, t_leaves), {"allow_unused": True})
        e_gr, e_err = _run(ember.autograd.grad, (e_terms, e_leaves), {"allow_unused": True})
        if check_same_error(what + " backward", e_err, t_err):
            continue
        atol, rtol = tolerances(info, dtype)
        for k, (eg, tg) in enumerate(zip(e_gr, t_gr)):
            what_k = "%s grad of input %d" % (what, k)
            if tg is None:
                assert eg is None or not np.any(to_numpy(eg)), what_k
                continue
            assert eg is not None, what_k + ": ember gave no gradient"
            assert_close(eg, tg, atol * 10, rtol * 10, what_k)


@pytest.mark.parametrize("name", _GRAD_CASES)
def test_gradcheck(name):
    info = OPS[name]
    dtypes = [d for d in ("float64", "complex128") if d in info.dtypes]
    if not dtypes:
        pytest.skip("op has no float64 or complex128 samples")
    checked = 0
    for i, (sample, dtype) in enumerate((s, d) for d in dtypes for s in _samples(info, d)):
        ea, ek, _, _, leaves, _ = materialise(sample, dtype, seed=i)
        if not leaves or any(x.numel() > 64 for x in leaves) or sample.name.startswith("edge:"):
            continue  # "edge:" samples sit where finite differences mean nothing (NaN, poles)
        if _run(info.func, ea, ek)[1] is not None:
            continue  # an error sample: test_backward_matches_torch checks that torch raises too
        checked += 1
        leaf_ids = {id(x) for x in leaves}

        def swap(a, it):
            # Leaves may sit inside a list argument (cat, stack).
            if isinstance(a, (list, tuple)):
                return type(a)(next(it) if id(y) in leaf_ids else y for y in a)
            return next(it) if id(a) in leaf_ids else a

        def fn(*xs):
            if info.gradcheck_wrapper is not None:
                xs = info.gradcheck_wrapper(*xs)
            it = iter(xs)
            args = [swap(a, it) for a in ea]
            kwargs = {k: swap(v, it) for k, v in ek.items()}
            out = info.func(*args, **kwargs)
            return tuple(o for o in flatten_outputs(out) if isinstance(o, ember.Tensor)
                         and (o.is_floating_point() or o.is_complex()))

        order = [y for a in list(ea) + list(ek.values())
                 for y in (a if isinstance(a, (list, tuple)) else [a]) if id(y) in leaf_ids]
        contiguous = [x.detach().clone().requires_grad_(True) for x in order]
        assert ember.autograd.gradcheck(fn, contiguous), "%s sample %d" % (name, i)
        if info.gradgrad:
            assert ember.autograd.gradgradcheck(fn, contiguous), "%s sample %d" % (name, i)
    assert checked, "%s: no float64 sample small enough (<= 64 elements per input) for " \
        "gradcheck; add one to its record" % name


@pytest.mark.parametrize("name", sorted(OPS))
def test_method_inplace_and_operator_forms_agree(name):
    info = OPS[name]
    dtype = info.dtypes[0]
    for i, sample in enumerate(_samples(info, dtype)):
        ea, ek, ta, tk, _, _ = materialise(sample, dtype, seed=i, requires_grad=False)
        ref, err = _run(info.func, ea, ek)
        if err is not None or not ea or not isinstance(ea[0], ember.Tensor):
            continue
        what = "%s sample %d" % (name, i)
        if info.method:
            out = getattr(ea[0], info.method)(*ea[1:], **ek)
            for a, b in zip(flatten_outputs(out), flatten_outputs(ref)):
                assert_same(a, b, what + " method")
        if info.inplace:
            t_self = ta[0].clone()
            t_res, t_err = _run(lambda: getattr(t_self, info.inplace)(*ta[1:], **tk), (), {})
            e_self = ea[0].clone()
            e_res, e_err = _run(lambda: getattr(e_self, info.inplace)(*ea[1:], **ek), (), {})
            if t_err is not None:
                assert e_err is not None and isinstance(e_err, type(t_err)), \
                    "%s in-place: torch raised %r, ember %r" % (what, t_err, e_err)
            else:
                assert e_err is None, "%s in-place raised %r" % (what, e_err)
                assert e_res is e_self, what + " in-place must return self"
                assert_close(e_self, t_self, *tolerances(info, dtype), what + " in-place")
        for op in info.operators:
            if op.startswith("__i"):
                continue
            if op.startswith("__r"):
                if len(ea) < 2 or not isinstance(ea[1], ember.Tensor):
                    continue
                out = getattr(ea[1], op)(ea[0])
            else:
                out = getattr(ea[0], op)(*ea[1:])
            for a, b in zip(flatten_outputs(out), flatten_outputs(ref)):
                assert_same(a, b, "%s %s" % (what, op))


@pytest.mark.parametrize("name", _ERROR_CASES)
def test_errors_match_torch(name):
    info = OPS[name]
    tfn = torch_fn(info)
    for err in info.errors():
        ea, ek, ta, tk, _, _ = materialise(err.sample, info.dtypes[0], requires_grad=False)
        with pytest.raises(err.error) as e_info:
            info.func(*ea, **ek)
        assert re.search(err.match, str(e_info.value)), \
            "%s: message %r does not match %r" % (name, str(e_info.value), err.match)
        with pytest.raises(err.error):
            tfn(*ta, **tk)
