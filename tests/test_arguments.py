"""torch's argument-parser rules (``ember/ops/_arguments.py``) checked by calling both libraries:
NumPy-style keyword aliases and ``out=`` over the op registry, ints where torch takes a tuple
over a table of calls."""
import warnings

import numpy as np
import pytest
import torch

import ember
from ember.ops.registry import OPS
from tests.ops.harness import assert_close, flatten_outputs, materialise, torch_fn

# ops whose first registry sample is random, or whose torch form is a Python function (aliases
# are a feature of torch's C++ parser only)
_TOP_LEVEL = sorted(n for n, info in OPS.items()
                    if "." not in info.torch_name and not info.nondeterministic
                    and info.ref is None)


def _run(fn):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return fn(), None
    except Exception as e:  # noqa: BLE001 - compared with the other library's
        return None, e


def _same(e_out, t_out, what):
    e_flat, t_flat = flatten_outputs(e_out), flatten_outputs(t_out)
    assert len(e_flat) == len(t_flat), what
    for e, t in zip(e_flat, t_flat):
        assert_close(e, t, 1e-5, 1e-5, what)


def _alias_forms(sample_kwargs, first_is_tensor):
    """(ember kwargs transform, description) for each alias the sample can exercise."""
    forms = []
    if "dim" in sample_kwargs:
        forms.append(("axis", lambda k: {("axis" if n == "dim" else n): v for n, v in k.items()}))
    if "keepdim" in sample_kwargs:
        forms.append(("keepdims",
                      lambda k: {("keepdims" if n == "keepdim" else n): v for n, v in k.items()}))
    return forms


@pytest.mark.parametrize("name", _TOP_LEVEL)
def test_keyword_aliases_match_torch(name):
    """Wherever torch accepts ``axis``/``keepdims``/``x``/``x2``, ember gives the same result."""
    info = OPS[name]
    tfn, efn = torch_fn(info), info.func
    dtype = info.dtypes[0]
    for i, sample in enumerate(info.samples(dtype)):
        ea, ek, ta, tk, _, _ = materialise(sample, dtype, seed=i, requires_grad=False)
        calls = [(alias, tf(tk), tf(ek), ta, ea) for alias, tf in _alias_forms(tk, bool(ta))]
        if ta and isinstance(ta[0], torch.Tensor):  # the input by keyword: x=, a=, x1=
            calls += [(alias, dict(tk, **{alias: ta[0]}), dict(ek, **{alias: ea[0]}), ta[1:],
                       ea[1:]) for alias in ("x", "x1")]
            if len(ta) > 1 and isinstance(ta[1], torch.Tensor):
                calls.append(("x2", dict(tk, x2=ta[1]), dict(ek, x2=ea[1]), ta[:1] + ta[2:],
                              ea[:1] + ea[2:]))
        for alias, t_kw, e_kw, t_args, e_args in calls:
            t_out, t_err = _run(lambda: tfn(*t_args, **t_kw))
            if t_err is not None:
                continue  # torch has no such parameter (or refuses this call): nothing to match
            e_out, e_err = _run(lambda: efn(*e_args, **e_kw))
            what = "%s sample %d with %s=" % (name, i, alias)
            assert e_err is None, "%s: torch accepts it, ember raised %r" % (what, e_err)
            _same(e_out, t_out, what)


def test_method_aliases():
    e, t = ember.arange(6.0).reshape(2, 3), torch.arange(6.0).reshape(2, 3)
    for call in (lambda x: x.sum(axis=0), lambda x: x.mean(axis=1, keepdims=True),
                 lambda x: x.amax(axis=(0, 1)), lambda x: x.add(x2=x),
                 lambda x: x.argmax(axis=1, keepdims=True), lambda x: x.std(axis=0),
                 lambda x: x.cumsum(axis=1), lambda x: x.unsqueeze(axis=0)):
        _same(call(e), call(t), "method alias")


def test_alias_and_its_parameter_together_is_an_error():
    t = ember.ones(2, 3)
    with pytest.raises(TypeError):
        ember.sum(t, dim=0, axis=1)
    with pytest.raises(TypeError):
        torch.sum(torch.ones(2, 3), dim=0, axis=1)


# torch computes these reductions in out's dtype, so an integer out= fails in the kernel
# (NotImplementedError); ember refuses the cast of the float result (RuntimeError)
_OUT_DTYPE_COMPUTES = {"nansum", "nanmean"}


@pytest.mark.parametrize("name", _TOP_LEVEL)
def test_out_argument_matches_torch(name):
    """``out=``: same values written into the given tensor (resized from empty), the same error
    for a dtype the result cannot be cast to, and torch's warning when resizing a filled one."""
    info = OPS[name]
    tfn, efn = torch_fn(info), info.func
    dtype = info.dtypes[0]
    sample = next(iter(info.samples(dtype)))
    ea, ek, ta, tk, _, _ = materialise(sample, dtype, requires_grad=False)
    t_ref, t_err = _run(lambda: tfn(*ta, **tk))
    if t_err is not None or not isinstance(t_ref, torch.Tensor):
        return
    t_out = torch.empty(0, dtype=t_ref.dtype)
    t_res, t_err = _run(lambda: tfn(*ta, out=t_out, **tk))
    if t_err is not None:
        return  # torch's function has no out=
    e_out = ember.empty(0, dtype=getattr(ember, str(t_ref.dtype).split(".")[1]))
    e_res = efn(*ea, out=e_out, **ek)
    assert e_res is e_out, name
    _same(e_out, t_out, name + " out=")
    if t_ref.dtype.is_floating_point:
        t_bad = torch.empty(0, dtype=torch.int64)
        _, t_err = _run(lambda: tfn(*ta, out=t_bad, **tk))
        e_bad = ember.empty(0, dtype=ember.int64)
        _, e_err = _run(lambda: efn(*ea, out=e_bad, **ek))
        if t_err is not None:
            assert e_err is not None, "%s: torch raised %r, ember did not" % (name, t_err)
            assert isinstance(e_err, type(t_err)) or name in _OUT_DTYPE_COMPUTES, \
                "%s: torch raised %r, ember %r" % (name, t_err, e_err)


def test_out_rules():
    a, b = ember.ones(2, 3), ember.ones(2, 3)
    out = ember.zeros(5)
    with pytest.warns(UserWarning, match="was resized since it had shape \\[5\\]"):
        ember.add(a, b, out=out)
    assert tuple(out.shape) == (2, 3) and (out.numpy() == 2).all()
    with pytest.raises(RuntimeError, match="can't be cast to the desired output type Long"):
        ember.add(a, b, out=ember.zeros(2, 3, dtype=ember.int64))
    with pytest.raises(RuntimeError, match="can't be cast"):
        torch.add(torch.ones(2), torch.ones(2), out=torch.zeros(2, dtype=torch.int64))
    with pytest.raises(RuntimeError, match="don't support automatic differentiation"):
        ember.mul(ember.ones(2, requires_grad=True), 2.0, out=ember.zeros(2))
    with pytest.raises(RuntimeError, match="don't support automatic differentiation"):
        torch.mul(torch.ones(2, requires_grad=True), 2.0, out=torch.zeros(2))
    values, indices = ember.zeros(0), ember.zeros(0, dtype=ember.int64)
    res = ember.max(ember.tensor([[1.0, 5.0], [7.0, 2.0]]), 1, out=(values, indices))
    assert res.values is values and res.indices is indices
    assert values.tolist() == [5.0, 7.0] and indices.tolist() == [1, 0]
    with ember.no_grad():
        ember.mul(ember.ones(2, requires_grad=True), 2.0, out=ember.zeros(2))


@pytest.mark.parametrize("call", ["lib.zeros(2, 3, out=o)", "lib.ones((4,), out=o)",
                                  "lib.full((2,), 1.5, out=o)", "lib.arange(5.0, out=o)",
                                  "lib.linspace(0, 1, 5, out=o)", "lib.eye(3, out=o)",
                                  "lib.empty(2, out=o).shape"])
def test_creation_functions_write_into_out(call):
    for lib in (ember, torch):
        o = lib.zeros(0)
        res = eval(call, {"lib": lib, "o": o})
        if call.endswith(".shape"):
            assert tuple(o.shape) == tuple(res)
            continue
        assert res is o
        values = o.numpy().tolist()
        if lib is ember:
            expected = values
        else:
            assert values == expected, call


# ints where torch takes a tuple, varargs sizes, lists for tuples: every call in both libraries
_CALLS = [
    "x.flip(0)", "lib.flip(x, 0)", "lib.flip(x, (0, 1))", "x.permute(1, 0)", "x.permute((1, 0))",
    "lib.permute(x, (1, 0))", "x.repeat(2, 1)", "x.repeat((2, 1))", "x.repeat(2)",
    "x.view(-1)", "x.view(3, 2)", "x.view((3, 2))", "x.reshape(6)", "x.reshape([3, 2])",
    "lib.reshape(x, (6,))", "lib.reshape(x, 6)", "x.expand(2, 2, 3)", "x.expand((2, 2, 3))",
    "x.tile(2)", "lib.tile(x, (2,))", "lib.tile(x, 2)", "lib.sum(x, 1)", "lib.sum(x, (0, 1))",
    "x.sum([0, 1])", "lib.mean(x, [1])", "lib.amax(x, 1)", "lib.amin(x, (0,))",
    "lib.std(x, 1)", "lib.var(x, (0, 1))", "lib.logsumexp(x, 1)", "lib.roll(x, 1, 0)",
    "lib.roll(x, (1, 1), (0, 1))", "lib.roll(x, 1)", "lib.rot90(x, 1, [0, 1])",
    "x.squeeze(0)", "x.squeeze((0, 1))", "lib.flatten(x, 0)", "lib.movedim(x, 0, 1)",
    "lib.movedim(x, (0, 1), (1, 0))", "lib.zeros(2, 3)", "lib.zeros((2, 3))",
    "lib.zeros([2, 3])", "lib.ones(lib.Size([2]))", "x.new_zeros(2, 3)", "x.new_zeros((2, 3))",
    "x.new_ones([2])", "lib.full((2,), 3.0)", "lib.full([2, 2], 1)", "lib.empty(3).shape",
    "lib.unflatten(x, 1, (3, 1))", "lib.split(x, 1, 0)", "lib.split(x, [1, 1])",
    "lib.tensor_split(x, 2)", "lib.tensor_split(x, [1], 1)", "lib.chunk(x, 2, 0)",
    "lib.narrow(x, 0, 0, 1)", "x.transpose(0, 1)", "lib.norm(x, dim=1)", "lib.norm(x, 2, 1)",
    "lib.count_nonzero(x, 0)", "lib.count_nonzero(x, (0, 1))", "lib.cumsum(x, 0)",
    "lib.diff(x, dim=0)", "lib.nansum(x, 1)", "lib.prod(x, 1)", "lib.any(x, 1)",
    "lib.all(x, (0, 1))", "lib.median(x, 1)", "lib.sort(x, 0)", "lib.topk(x, 1, 0)",
    "lib.argsort(x, 1)", "lib.unbind(x, 1)", "lib.stack([x, x], 1)", "lib.cat((x, x), -1)",
    "lib.broadcast_to(x, (2, 2, 3))", "lib.broadcast_to(x, [2, 2, 3])", "x.sum_to_size(1, 3)",
    "x.size(1)", "x.size(-1)", "lib.nn.functional.pad(x, (1, 1))",
    "lib.nn.functional.pad(x, [1, 0, 0, 1])",
]


@pytest.mark.parametrize("call", _CALLS)
def test_integer_and_sequence_arguments_match_torch(call):
    arr = np.arange(6.0, dtype="float32").reshape(1, 2, 3)[0]
    e_out, e_err = _run(lambda: eval(call, {"lib": ember, "x": ember.from_numpy(arr.copy())}))
    t_out, t_err = _run(lambda: eval(call, {"lib": torch, "x": torch.from_numpy(arr.copy())}))
    if t_err is not None or e_err is not None:
        # ember takes an int where torch's function insists on a tuple (torch.reshape(x, 6)):
        # a leniency; anything torch accepts, ember must accept alike
        lenient = e_err is None and isinstance(t_err, TypeError)
        assert lenient or (t_err is not None and e_err is not None
                           and isinstance(e_err, type(t_err))), \
            "%s: torch %r, ember %r" % (call, t_err, e_err)
        return
    if isinstance(t_out, (torch.Size, int)):
        assert tuple(e_out) == tuple(t_out) if isinstance(t_out, torch.Size) else e_out == t_out
        return
    _same(e_out, t_out, call)
