"""The op registry: one record (``OpInfo``) per public op.

A record names the public function, the Tensor method / in-place / operator forms derived from
it, its sample inputs and error inputs. ``tests/ops`` iterates ``OPS`` to compare every op with
torch (values, gradients, float64 gradcheck and gradgradcheck, error types), so an op cannot
exist untested: ``tests/ops/test_coverage.py`` fails for a public function that is neither
registered nor listed in ``NOT_DIFFERENTIABLE``.
"""
from ember._backend import np

OPS = {}

# Public functions tested by their own tests rather than the registry (creation, RNG, dtype
# queries...), with the test file that covers them.
NOT_DIFFERENTIABLE = {}


class T:
    """A tensor in a sample: shape, value range, dtype override and layout flags.

    The test harness materialises the same values in ember and torch. ``noncontig`` builds a
    strided view; ``grad=False`` marks an input that does not require grad (indices, masks).
    """

    __slots__ = ("shape", "low", "high", "dtype", "noncontig", "grad", "values")

    def __init__(self, *shape, low=-2.0, high=2.0, dtype=None, noncontig=False, grad=True,
                 values=None):
        self.shape = shape
        self.low, self.high = low, high
        self.dtype, self.noncontig, self.grad = dtype, noncontig, grad
        self.values = values

    def __repr__(self):
        extra = ", noncontig" if self.noncontig else ""
        return "T%s%s" % (self.shape, extra)


class SampleInput:
    """Positional and keyword arguments of one call; ``T`` entries become tensors."""

    __slots__ = ("args", "kwargs", "name")

    def __init__(self, *args, name="", **kwargs):
        self.args, self.kwargs, self.name = args, kwargs, name

    def __repr__(self):
        return "SampleInput(%s%s)" % (", ".join(map(repr, self.args)), "".join(
            ", %s=%r" % kv for kv in self.kwargs.items()))


class ErrorInput:
    """A call that must raise ``error`` (the same type as torch) with ``match`` in its message."""

    __slots__ = ("sample", "error", "match")

    def __init__(self, sample, error, match):
        self.sample, self.error, self.match = sample, error, match


FLOAT = ("float32", "float64")
ALL = ("float32", "float64", "int64", "int32", "uint8", "bool")
INT_FLOAT = ("float32", "float64", "int64", "int32")
COMPLEX = ("complex64", "complex128")


class OpInfo:
    """The record of one public op.

    Args:
        name: the function's name in ``ember`` (and in ``torch`` unless ``torch_name``).
        func: the ember function.
        samples: ``samples(dtype)`` yielding SampleInput.
        errors: ``errors()`` yielding ErrorInput.
        method: Tensor method name (``True`` = same as ``name``).
        inplace: name of the in-place Tensor method, if any.
        operators: dunder names that must agree with the function (first operand = input).
        dtypes: dtypes the value tests run in (gradients only for float dtypes).
        grad: whether the op is differentiable; gradgrad: whether its backward is.
        torch_name: dotted path of the torch function when it differs (``nn.functional.relu``).
        ref: callable ``ref(torch, *args, **kwargs)`` overriding the torch oracle.
        atol, rtol: float32 tolerances.
        gradcheck_wrapper: ``wrapper(*leaves)`` -> the leaves gradcheck feeds the op (torch's
            OpInfo field of that name: e.g. ``A + A.mT`` for ops that read one triangle of a
            symmetric input, whose torch gradient is the symmetric one).
    """

    def __init__(self, name, func, samples, errors=None, method=None, inplace=None,
                 operators=(), dtypes=FLOAT, grad=True, gradgrad=True, torch_name=None,
                 ref=None, atol=1e-5, rtol=1.3e-6, output_index=None, nondeterministic=False,
                 gradcheck_wrapper=None):
        self.name, self.func, self.samples, self.errors = name, func, samples, errors
        self.method = name if method is True else method
        self.inplace = inplace
        self.operators = operators
        self.dtypes = dtypes
        self.grad, self.gradgrad = grad, gradgrad
        self.torch_name = torch_name or name
        self.ref = ref
        self.atol, self.rtol = atol, rtol
        self.output_index = output_index
        self.nondeterministic = nondeterministic
        self.gradcheck_wrapper = gradcheck_wrapper

    def __repr__(self):
        return "OpInfo(%s)" % self.name


def register(info):
    """Add ``info`` to the registry and attach its method and in-place forms to Tensor."""
    from ember._tensor import Tensor

    if info.name in OPS:
        raise ValueError("op %s registered twice" % info.name)
    OPS[info.name] = info
    if info.method and not hasattr(Tensor, info.method):
        setattr(Tensor, info.method, info.func)
    if info.inplace and not hasattr(Tensor, info.inplace):
        setattr(Tensor, info.inplace, inplace_method(info.func, info.inplace))
    raw = info.func
    for hook in AFTER_REGISTER:  # the argument rule, for ops registered after ember's import
        hook(info)
    return raw


# Called with each OpInfo registered from now on (ember.ops._arguments adds its rule here).
AFTER_REGISTER = []


def register_nn(name, func, samples, errors=None, **kw):
    """Register ``torch.nn.functional.<name>``."""
    return register(OpInfo("nn.functional." + name, func, samples, errors,
                           torch_name="nn.functional." + name, **kw))


def not_differentiable(name, test_file):
    NOT_DIFFERENTIABLE[name] = test_file


def dtype_errors(kernel, dtypes, sample=None, more=None):
    """``errors()`` for an op whose torch kernel ``kernel`` has no version for ``dtypes``: one
    NotImplementedError input per dtype, ``sample(dtype)`` (default: one 3x4 tensor), then the
    inputs of ``more()`` when given."""
    def errors():
        from ember._tensor_str import dtype_word

        for dt in dtypes:
            s = sample(dt) if sample is not None else SampleInput(T(3, 4, dtype=dt))
            yield ErrorInput(s, NotImplementedError, "%s\" not implemented for '%s'"
                             % (kernel, dtype_word(np.dtype(dt))))
        if more is not None:
            yield from more()
    return errors


def inplace_method(func, name):
    """Derive ``Tensor.xxx_`` from the out-of-place ``func``: compute, then write into self."""
    from ember.ops.inplace import apply_inplace

    def method(self, *args, **kwargs):
        return apply_inplace(self, func, args, kwargs)

    method.__name__ = name
    method.__qualname__ = "Tensor." + name
    method.__doc__ = "In-place version of :meth:`%s`." % func.__name__
    return method


def rng_for(name):
    """A deterministic generator per op name, so samples are stable across runs."""
    import zlib

    return np.random.default_rng(zlib.crc32(name.encode()))
