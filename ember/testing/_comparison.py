"""``assert_close``: compare tensors, scalars and their containers as torch.testing does."""
import collections.abc
import math
import warnings

from ember._backend import np

__all__ = ["assert_close", "assert_allclose"]

# dtype name -> (rtol, atol): torch's defaults; other dtypes compare exactly
_TOLERANCES = {"float16": (1e-3, 1e-5), "bfloat16": (1.6e-2, 1e-5), "float32": (1.3e-6, 1e-5),
               "float64": (1e-7, 1e-7)}


class _Mismatch(AssertionError):
    """An assertion failure on one pair; ``path`` locates it inside containers."""

    def __init__(self, message, path=()):
        super().__init__(message)
        self.message, self.path = message, path


def _is_tensor_like(x):
    from ember._tensor import Tensor

    return isinstance(x, (Tensor, np.ndarray))


def _array_and_dtype(x):
    from ember._tensor import Tensor

    if isinstance(x, Tensor):
        return x.detach().numpy(), x.dtype.name if hasattr(x.dtype, "name") else str(x.dtype)
    return x, str(x.dtype)


def _fmt(value):
    return repr(value.item() if hasattr(value, "item") else value)


def _tolerances(dtype_name, rtol, atol):
    if rtol is not None:
        return rtol, atol
    return _TOLERANCES.get(dtype_name, (0.0, 0.0))


def _close(actual, expected, rtol, atol, equal_nan):
    with np.errstate(invalid="ignore", over="ignore"):
        close = (actual == expected) | (np.abs(actual - expected) <= atol + rtol * np.abs(expected))
    if equal_nan:
        close |= np.isnan(actual) & np.isnan(expected)
    return close


def _compare_scalars(actual, expected, rtol, atol, equal_nan):
    if isinstance(actual, bool) or isinstance(expected, bool):
        kind = "bool"
    else:
        kind = "float64" if isinstance(actual, float) or isinstance(expected, float) else "int64"
    rtol, atol = _tolerances(kind, rtol, atol)
    a, e = np.float64(actual), np.float64(expected)
    if _close(a, e, rtol, atol, equal_nan):
        return
    raise _Mismatch(_scalar_message(a, e, rtol, atol, float(abs(a - e)),
                                    _relative(float(abs(a - e)), float(abs(e)))))


def _relative(abs_diff, abs_expected):
    if abs_expected == 0:
        return math.inf if abs_diff != 0 else (math.nan if math.isnan(abs_diff) else 0.0)
    return abs_diff / abs_expected


def _scalar_message(actual, expected, rtol, atol, abs_diff, rel_diff):
    exact = rtol == 0 and atol == 0
    lines = ["Scalars are not %s!" % ("equal" if exact else "close"), "",
             "Expected %s but got %s." % (_fmt(expected), _fmt(actual))]
    lines.append("Absolute difference: %s%s" % (_fmt(abs_diff), "" if exact else
                                                " (up to %s allowed)" % atol))
    lines.append("Relative difference: %s%s" % (_fmt(rel_diff), "" if exact else
                                                " (up to %s allowed)" % rtol))
    return "\n".join(lines)


def _compare_tensors(actual, expected, rtol, atol, equal_nan, check_dtype):
    a, a_dtype = _array_and_dtype(actual)
    e, e_dtype = _array_and_dtype(expected)
    if a.shape != e.shape:
        raise _Mismatch("The values for attribute 'shape' do not match: torch.Size(%s) != "
                        "torch.Size(%s)." % (list(a.shape), list(e.shape)))
    if check_dtype and a_dtype != e_dtype:
        raise _Mismatch("The values for attribute 'dtype' do not match: torch.%s != torch.%s."
                        % (a_dtype, e_dtype))
    rtol, atol = _tolerances(e_dtype if a_dtype == e_dtype else "float64", rtol, atol)
    if a.dtype == np.bool_:
        a, e = a.astype(np.int64), e.astype(np.int64)
    elif a.dtype != e.dtype:
        common = np.promote_types(a.dtype, e.dtype)
        a, e = a.astype(common), e.astype(common)
    close = _close(a, e, rtol, atol, equal_nan)
    if close.all():
        return
    # torch computes the differences in the inputs' dtype, ratios in the default float dtype
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        abs_diff = np.abs(a - e)
        ratio_dtype = a.dtype if a.dtype.kind == "f" else np.float32
        rel_diff = (abs_diff.astype(ratio_dtype) / np.abs(e).astype(ratio_dtype))
    if a.ndim == 0:  # torch reports 0-d tensors as Python numbers
        a, e = a.item(), e.item()
        abs_diff = abs(a - e)
        raise _Mismatch(_scalar_message(a, e, rtol, atol, abs_diff, _relative(abs_diff, abs(e))))
    exact = rtol == 0 and atol == 0
    mismatched, total = int((~close).sum()), close.size
    lines = ["Tensor-likes are not %s!" % ("equal" if exact else "close"), "",
             "Mismatched elements: %d / %d (%.1f%%)" % (mismatched, total,
                                                        100.0 * mismatched / total)]
    for name, diff, allowed in (("absolute", abs_diff, atol), ("relative", rel_diff, rtol)):
        flat = np.where(np.isnan(diff), -np.inf, diff).ravel()
        index = int(np.argmax(flat))
        where = tuple(int(i) for i in np.unravel_index(index, a.shape))
        lines.append("Greatest %s difference: %s at index %s%s" % (
            name, _fmt(diff.ravel()[index]), where,
            "" if exact else " (up to %s allowed)" % allowed))
    raise _Mismatch("\n".join(lines))


def _compare(actual, expected, path, **options):
    if _is_tensor_like(actual) and _is_tensor_like(expected):
        try:
            _compare_tensors(actual, expected, options["rtol"], options["atol"],
                             options["equal_nan"], options["check_dtype"])
        except _Mismatch as e:
            raise _Mismatch(e.message, path) from None
        return
    numbers = (int, float, bool)
    if isinstance(actual, numbers) and isinstance(expected, numbers):
        try:
            _compare_scalars(actual, expected, options["rtol"], options["atol"],
                             options["equal_nan"])
        except _Mismatch as e:
            raise _Mismatch(e.message, path) from None
        return
    sequence = (collections.abc.Sequence,)
    if (isinstance(actual, sequence) and isinstance(expected, sequence)
            and not isinstance(actual, str) and not isinstance(expected, str)):
        if len(actual) != len(expected):
            raise _Mismatch("The length of the sequences mismatch: %d != %d"
                            % (len(actual), len(expected)), path)
        for i, (a, e) in enumerate(zip(actual, expected)):
            _compare(a, e, path + (i,), **options)
        return
    if isinstance(actual, collections.abc.Mapping) and isinstance(expected,
                                                                  collections.abc.Mapping):
        if set(actual) != set(expected):
            raise _Mismatch("The keys of the mappings do not match:\nMissing keys in the actual "
                            "mapping: %s\nExtra keys in the actual mapping: %s" % (
                                sorted(set(expected) - set(actual), key=repr),
                                sorted(set(actual) - set(expected), key=repr)), path)
        for key in expected:
            _compare(actual[key], expected[key], path + (key,), **options)
        return
    if actual is None and expected is None:
        return
    raise TypeError("No comparison pair was able to handle inputs of type %s and %s."
                    % (type(actual), type(expected)))


def assert_close(actual, expected, *, allow_subclasses=True, rtol=None, atol=None,
                 equal_nan=False, check_device=True, check_dtype=True, check_layout=True,
                 check_stride=False, msg=None):
    """Assert that ``actual`` and ``expected`` are close, as ``torch.testing.assert_close``.

    Tensors (and NumPy arrays) must have the same shape and, with ``check_dtype``, dtype; their
    values must satisfy ``|actual - expected| <= atol + rtol * |expected|`` with torch's defaults
    per dtype (float32: ``rtol=1.3e-6, atol=1e-5``; float64: ``1e-7, 1e-7``; float16:
    ``1e-3, 1e-5``; integers and bools: exact). Python numbers, sequences and mappings are
    compared element by element.

    Args:
        actual, expected: what to compare.
        rtol, atol (float, optional): tolerances; give both or neither.
        equal_nan (bool): whether two NaNs are equal.
        check_dtype (bool): whether dtypes must match.
        msg (str or callable, optional): replaces the message (a callable receives it).

    Raises:
        AssertionError: with torch's message (mismatched elements, greatest differences and
            where they occur).

    Example:
        >>> import ember
        >>> ember.testing.assert_close(ember.tensor([1.0, 2.0]), ember.tensor([1.0, 2.0]))
    """
    if (rtol is None) != (atol is None):
        raise ValueError("Both 'rtol' and 'atol' must be either specified or omitted, but got "
                         "no %s." % ("atol" if atol is None else "rtol"))
    try:
        _compare(actual, expected, (), rtol=rtol, atol=atol, equal_nan=equal_nan,
                 check_dtype=check_dtype)
    except _Mismatch as e:
        message = e.message
        if e.path:
            message += "\n\nThe failure occurred for item %s" % "".join(
                "[%r]" % key for key in e.path)
        if callable(msg):
            message = msg(message)
        elif msg is not None:
            message = msg
        raise AssertionError(message) from None


def assert_allclose(actual, expected, rtol=None, atol=None, equal_nan=True, msg=""):
    """Deprecated in torch since 1.12: ``assert_close`` without the dtype check."""
    warnings.warn("`torch.testing.assert_allclose()` is deprecated since 1.12 and will be removed "
                  "in a future release. Please use `torch.testing.assert_close()` instead.",
                  FutureWarning, stacklevel=2)
    from ember import tensor
    from ember._tensor import Tensor

    actual = actual if isinstance(actual, Tensor) else tensor(actual)
    expected = expected if isinstance(expected, Tensor) else tensor(expected, dtype=actual.dtype)
    assert_close(actual, expected, rtol=rtol, atol=atol, equal_nan=equal_nan, check_dtype=False,
                 msg=msg or None)
