"""How ops compute on bfloat16 tensors: in float32, rounded to bfloat16 once, as torch does.

ml_dtypes' NumPy bfloat16 rounds after every step of a kernel (a softmax written as four NumPy
calls rounds four times) and accumulates sums in bfloat16 (``ones(1000) * 0.1`` sums to 32),
where torch's CPU kernels load bfloat16, compute and accumulate in float32, and round each
result once. ``Node.apply`` therefore hands an op's forward float32 copies of its bfloat16
inputs and rounds the op's floating results back to bfloat16 (round-to-nearest-even, torch's
rounding). Ops that only move data are run on the bfloat16 arrays themselves: a forward that
returns a view of its input (reshape, transpose, indexing) is rerun on the original arrays, so
the view shares memory with its base as in torch.

A result stays in float32 (or float64) when the op was asked for it (a ``dtype`` argument, a
cast) or when an input of another floating dtype took part (promotion made the result that
type: bfloat16 with float16 gives float32).
"""
from ember import _dtype
from ember._backend import np

# Set when the first bfloat16 array is made: until then ``Node.apply`` skips the check.
SEEN = [False]


def any_bfloat16(inputs):
    for t in inputs:
        arr = t._data
        if arr.dtype.kind == "V" and _dtype.is_bfloat16(arr.dtype):
            return True
    return False


_ARRAYS = (np.ndarray, np.generic)  # a 0-d kernel may return a NumPy scalar


def _upcast(arr):
    return arr.astype(np.float32) if arr.dtype.kind == "V" else arr


def _asks_for_dtype(params, kwparams):
    for p in params:
        if isinstance(p, (_dtype.dtype, np.dtype)):
            return True
    for p in kwparams.values():
        if isinstance(p, (_dtype.dtype, np.dtype)):
            return True
    return False


def _shares(out, ups, arrays):
    for up, arr in zip(ups, arrays):
        if up is not arr and np.may_share_memory(out, up):
            return True
    return False


def forward(ctx, arrays, params, kwparams):
    """Run ``ctx``'s forward on ``arrays`` (some of them bfloat16) with torch's numerics."""
    bf16 = _dtype._bfloat16().np
    ups = [_upcast(a) for a in arrays]
    ctx._bf16_inputs = tuple(i for i, a in enumerate(arrays) if a.dtype.kind == "V")
    out = ctx.forward(*ups, *params, **kwparams)
    outs = out if isinstance(out, tuple) else (out,)
    if any(isinstance(o, np.ndarray) and _shares(o, ups, arrays) for o in outs):
        return ctx.forward(*arrays, *params, **kwparams)  # a view: keep bfloat16 memory
    if any(a.dtype.kind == "f" for a in arrays) or _asks_for_dtype(params, kwparams):
        return out
    rounded = tuple(o.astype(bf16) if isinstance(o, _ARRAYS) and o.dtype.kind == "f" else o
                    for o in outs)
    return rounded if isinstance(out, tuple) else rounded[0]


def round_grads(grads, indices):
    """A backward's gradients with those of bfloat16 inputs (``indices``) in bfloat16: a backward
    that ran on the float32 copies returns float32."""
    grads = list(grads)
    bf16 = _dtype._bfloat16()
    for i in indices:
        g = grads[i] if i < len(grads) else None
        if g is not None and g._data.dtype.kind == "f":
            grads[i] = g.to(bf16)
    return tuple(grads)
