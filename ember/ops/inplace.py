"""In-place ops: every ``x.op_(...)`` is derived from the out-of-place op.

The result is computed out of place, written into ``self``'s array (views see it), the version
counter is bumped (so a backward that saved the old value raises), and when the graph is being
recorded ``self`` takes the new op as its ``grad_fn``, as torch rebases history.
"""
from ember._backend import np
from ember._tensor import Tensor
from ember.autograd.grad_mode import _State
from ember.ops._util import shape_str


def _any_requires_grad(args, kwargs):
    for a in args:
        if isinstance(a, Tensor) and a._requires_grad:
            return True
    for a in kwargs.values():
        if isinstance(a, Tensor) and a._requires_grad:
            return True
    return False


def check_inplace_allowed(self):
    if self._grad_fn is None and self._requires_grad:
        raise RuntimeError("a leaf Variable that requires grad is being used in an in-place "
                           "operation.")
    base = self._base
    if base is not None:
        if base._grad_fn is None and base._requires_grad:
            raise RuntimeError("a view of a leaf Variable that requires grad is being used in "
                               "an in-place operation.")
        # torch would rebase the base's history too; rather than give a silently wrong
        # gradient, ember refuses.
        raise RuntimeError("ember does not yet support in-place operations on a view of a "
                           "tensor that requires grad; use an out-of-place op or index "
                           "assignment on the base tensor")


# out-of-place function -> NumPy ufunc that can write into ``self`` directly (no temporary, no
# copy) when nothing is recorded: the path optimizer-style updates under no_grad take.
_UFUNCS = {}


def register_ufunc(func, ufunc):
    _UFUNCS[func] = ufunc


def _try_ufunc(self, func, args, kwargs):
    ufunc = _UFUNCS.get(func)
    if ufunc is None or len(args) != 1:
        return False
    alpha = kwargs.get("alpha", 1) if kwargs else 1
    if kwargs and (len(kwargs) > 1 or "alpha" not in kwargs):
        return False
    other = args[0]
    data = self._data
    if isinstance(other, Tensor):
        arr = other._data
        if arr.dtype is not data.dtype or other._requires_grad and _State.enabled:
            return False
    elif other.__class__ is float or other.__class__ is int:
        if data.dtype.kind != "f":
            return False
        arr = other
    else:
        return False
    if data.dtype.kind != "f" or not data.flags.writeable:
        return False
    if alpha != 1:
        if alpha.__class__ is not float and alpha.__class__ is not int:
            return False
        arr = arr * alpha
    try:
        ufunc(data, arr, out=data)
    except ValueError:
        return False
    self._bump_version()
    return True


def apply_inplace(self, func, args, kwargs):
    recording = _State.enabled and (self._requires_grad or _any_requires_grad(args, kwargs))
    if not recording and _try_ufunc(self, func, args, kwargs):
        return self
    if recording:
        check_inplace_allowed(self)
        # The op may save its input for backward; give it a copy of the value being overwritten.
        src = self.clone() if self._requires_grad else self.detach()
    else:
        src = self.detach() if self._requires_grad else self
    res = func(src, *args, **kwargs)
    write_result(self, res, recording)
    return self


def write_result(self, res, recording):
    """Write tensor ``res`` into ``self`` (same shape, castable dtype) and rebase history."""
    data = self._data
    rdata = res._data
    if rdata.shape != data.shape:
        raise RuntimeError("output with shape %s doesn't match the broadcast shape %s"
                           % (shape_str(data.shape), shape_str(rdata.shape)))
    if rdata.dtype != data.dtype and not np.can_cast(rdata.dtype, data.dtype, "same_kind"):
        from ember._tensor_str import dtype_word

        raise RuntimeError("result type %s can't be cast to the desired output type %s"
                           % (dtype_word(rdata.dtype), dtype_word(data.dtype)))
    if not data.flags.writeable:
        raise RuntimeError("unsupported operation: the input tensor is a read-only view (for "
                           "example an expanded tensor); clone it first")
    np.copyto(data, rdata, casting="unsafe")
    self._bump_version()
    if recording and res._requires_grad:
        fn = res._grad_fn
        self._grad_fn = fn
        self._requires_grad = True
        self._output_nr = res._output_nr
        if fn is not None and fn.save_output:
            fn._out = data
            fn._out_vc = self._vc
            fn._out_version = self._vc[0]
