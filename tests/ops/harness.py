"""Materialise registry samples in ember and torch and compare the two.

One helper builds the same inputs in both frameworks (same values, same layout), runs the op,
and compares values, dtypes and gradients: the tinygrad/OpInfo pattern.
"""
import numpy as np
import torch

import ember
from ember.ops.registry import T

_TORCH_DTYPES = {"float32": torch.float32, "float64": torch.float64, "float16": torch.float16,
                 "int64": torch.int64, "int32": torch.int32, "int16": torch.int16,
                 "int8": torch.int8, "uint8": torch.uint8, "bool": torch.bool}


def make_array(spec, dtype, rng):
    """The values of ``spec`` (a ``T``) in ``dtype`` (spec.dtype wins when set)."""
    dt = np.dtype(spec.dtype or dtype)
    if spec.values is not None:
        arr = np.array(spec.values).astype(dt)
        return arr
    shape = spec.shape
    if spec.noncontig:
        shape = shape[:-1] + (shape[-1] * 2,) if shape else shape
    if dt.kind == "b":
        arr = np.asarray(rng.random(shape) < 0.5)
    elif dt.kind in "iu":
        low = int(np.floor(spec.low)) if spec.low is not None else -5
        high = int(np.ceil(spec.high)) if spec.high is not None else 5
        if dt.kind == "u":
            low = max(low, 0)
        if high <= low:
            high = low + 1
        arr = rng.integers(low, high, size=shape).astype(dt)
        if spec.low == -2.0 and spec.high == 2.0:
            arr = rng.integers(0 if dt.kind == "u" else -5, 6, size=shape).astype(dt)
    elif dt.kind == "c":
        # real and imaginary parts both in [low, high]
        arr = (rng.uniform(spec.low, spec.high, size=shape)
               + 1j * rng.uniform(spec.low, spec.high, size=shape)).astype(dt)
    else:
        arr = rng.uniform(spec.low, spec.high, size=shape).astype(dt)
    return np.asarray(arr)


def materialise(sample, dtype, seed=0, requires_grad=True):
    """(ember_args, ember_kwargs, torch_args, torch_kwargs, grad_inputs) for one sample."""
    rng = np.random.default_rng(seed)
    e_leaves, t_leaves = [], []

    def convert(x):
        if isinstance(x, T):
            arr = make_array(x, dtype, rng)
            e = ember.from_numpy(arr.copy())
            t = torch.from_numpy(arr.copy())
            if not arr.size:  # NumPy gives empty arrays zero strides; torch's tensors have not
                t = t.clone(memory_format=torch.contiguous_format)
            if x.noncontig and arr.ndim:
                e, t = e[..., ::2], t[..., ::2]
            floating = arr.dtype.kind in "fc"
            if requires_grad and x.grad and floating:
                if x.noncontig and arr.ndim:
                    # make the strided view the leaf
                    e = ember.from_numpy(arr.copy())[..., ::2].detach()
                    t = torch.from_numpy(arr.copy())[..., ::2].detach()
                e.requires_grad_(True)
                t.requires_grad_(True)
                e_leaves.append(e)
                t_leaves.append(t)
            return e, t
        if isinstance(x, (list, tuple)) and any(isinstance(y, T) for y in x):
            pairs = [convert(y) for y in x]
            return type(x)(p[0] for p in pairs), type(x)(p[1] for p in pairs)
        return x, x

    e_args, t_args = [], []
    for a in sample.args:
        e, t = convert(a)
        e_args.append(e)
        t_args.append(t)
    e_kwargs, t_kwargs = {}, {}
    for k, v in sample.kwargs.items():
        e_kwargs[k], t_kwargs[k] = convert(v)
    return e_args, e_kwargs, t_args, t_kwargs, e_leaves, t_leaves


def torch_fn(info):
    """The torch callable for ``info`` (handles ``Tensor.method`` and dotted names)."""
    if info.ref is not None:
        return lambda *a, **k: info.ref(torch, *a, **k)
    name = info.torch_name
    if name.startswith("Tensor."):
        meth = name[len("Tensor."):]
        return lambda self, *a, **k: getattr(self, meth)(*a, **k)
    obj = torch
    for part in name.split("."):
        obj = getattr(obj, part)
    return obj


def ember_fn(info):
    return info.func


def flatten_outputs(out):
    """Tensors of an op's result in order (tuples and named tuples flattened)."""
    if isinstance(out, (ember.Tensor, torch.Tensor)):
        return [out]
    if isinstance(out, (tuple, list)):
        res = []
        for o in out:
            res.extend(flatten_outputs(o))
        return res
    return [out]


def to_numpy(x):
    if isinstance(x, ember.Tensor):
        return x.detach().numpy()
    if isinstance(x, torch.Tensor):
        return x.detach().resolve_conj().resolve_neg().numpy()
    return np.asarray(x)


def tolerances(info, dtype):
    if dtype in ("float64", "complex128"):
        return 1e-10, 1e-7
    if dtype == "float16":
        return 1e-3, 1e-3
    return info.atol, info.rtol


def assert_same(a, b, what=""):
    """Two ember results are identical in dtype, shape and values."""
    assert isinstance(a, ember.Tensor) == isinstance(b, ember.Tensor), what
    if isinstance(a, ember.Tensor):
        assert a.dtype == b.dtype and a.shape == b.shape, "%s: %s%s vs %s%s" % (
            what, a.dtype, tuple(a.shape), b.dtype, tuple(b.shape))
    np.testing.assert_array_equal(to_numpy(a), to_numpy(b), err_msg=what)


def assert_close(e, t, atol, rtol, what=""):
    if isinstance(e, ember.Tensor) or isinstance(t, torch.Tensor):
        assert isinstance(e, ember.Tensor) and isinstance(t, torch.Tensor), \
            "%s: ember returned %s, torch %s" % (what, type(e).__name__, type(t).__name__)
        assert str(e.dtype).split(".")[-1] == str(t.dtype).split(".")[-1], \
            "%s: dtype %s != torch %s" % (what, e.dtype, t.dtype)
        assert tuple(e.shape) == tuple(t.shape), \
            "%s: shape %s != torch %s" % (what, tuple(e.shape), tuple(t.shape))
    ea, ta = to_numpy(e), to_numpy(t)
    if ea.dtype.kind in "biu" and ta.dtype.kind in "biu":
        np.testing.assert_array_equal(ea, ta, err_msg=what)
    elif ea.dtype.kind == "c" or ta.dtype.kind == "c":
        np.testing.assert_allclose(ea.astype(np.complex128), ta.astype(np.complex128), atol=atol,
                                   rtol=rtol, equal_nan=True, err_msg=what)
    else:
        np.testing.assert_allclose(ea.astype(np.float64), ta.astype(np.float64), atol=atol,
                                   rtol=rtol, equal_nan=True, err_msg=what)


def check_same_error(what, e_err, t_err):
    """Whether both sides raised (ember an instance of torch's type); fails when only one did."""
    if t_err is not None:
        assert e_err is not None, "%s: torch raised %r, ember did not" % (what, t_err)
        assert isinstance(e_err, type(t_err)), "%s: ember raised %r, torch %r" % (
            what, e_err, t_err)
        return True
    if e_err is not None:
        raise AssertionError("%s: ember raised %r, torch did not" % (what, e_err)) from e_err
    return False


def weights(t, rng):
    """Random weights shaped like the torch output ``t``; complex (both parts random) for
    complex outputs."""
    w = rng.standard_normal(tuple(t.shape))
    if t.is_complex():
        w = w + 1j * rng.standard_normal(tuple(t.shape))
    return np.asarray(w).astype(str(t.dtype).split(".")[-1])


def weighted_loss(out, w, lib):
    """``sum(out * w)``, its real part for complex outputs: a real loss, as backward needs."""
    loss = (out * lib.from_numpy(np.asarray(w))).sum()
    return loss.real if loss.is_complex() else loss
