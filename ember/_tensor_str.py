"""Printing tensors exactly as torch prints them (``tensor([[1., 2.]], requires_grad=True)``).

Rules (torch's ``_tensor_str``): all elements of a float tensor share one format: integral
values print as ``1.``, others with 4 decimals, switching to scientific notation when the
range is wide (max/min > 1000, max > 1e8 or min < 1e-4); more than 1000 elements are
summarised with ``...``; rows wrap at 80 columns; the dtype is shown when it is not implied.
"""
import math

from ember import _dtype
from ember._backend import np

PRINT_OPTS = {"precision": 4, "threshold": 1000, "edgeitems": 3, "linewidth": 80,
              "sci_mode": None}


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None,
                     profile=None, sci_mode=None):
    """Set the print options, as ``torch.set_printoptions``."""
    if profile == "default":
        PRINT_OPTS.update(precision=4, threshold=1000, edgeitems=3, linewidth=80)
    elif profile == "short":
        PRINT_OPTS.update(precision=2, threshold=1000, edgeitems=2, linewidth=80)
    elif profile == "full":
        PRINT_OPTS.update(precision=4, threshold=math.inf, edgeitems=3, linewidth=80)
    for key, value in (("precision", precision), ("threshold", threshold),
                       ("edgeitems", edgeitems), ("linewidth", linewidth)):
        if value is not None:
            PRINT_OPTS[key] = value
    PRINT_OPTS["sci_mode"] = sci_mode


_LEGACY = {"float32": "FloatTensor", "float64": "DoubleTensor", "float16": "HalfTensor",
           "int64": "LongTensor", "int32": "IntTensor", "int16": "ShortTensor",
           "int8": "CharTensor", "uint8": "ByteTensor", "bool": "BoolTensor",
           "bfloat16": "BFloat16Tensor"}
_WORD = {"float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long",
         "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool",
         "uint16": "UInt16", "uint32": "UInt32", "uint64": "UInt64",
         "complex64": "ComplexFloat", "complex128": "ComplexDouble",
         "bfloat16": "BFloat16"}


def legacy_type_name(dtype):
    # complex tensors have type names (``torch.ComplexFloatTensor``) but no legacy constructors
    return "torch." + _LEGACY.get(dtype.name, _WORD[dtype.name] + "Tensor")


def dtype_word(np_dtype):
    """torch's one-word dtype name used in error messages (``Float``, ``Long``...)."""
    return _WORD[_dtype.from_numpy_dtype(np_dtype).name]


class _Formatter:
    """One format shared by all elements of a tensor, chosen from its finite non-zero values.

    Only those values set the column width: zeros, nan and inf never widen it (torch pads
    ``[nan, 2.]`` to the width of ``2.``, so ``nan`` sticks out).
    """

    def __init__(self, values, np_dtype):
        self.floating = np_dtype.kind == "f" or _dtype.is_bfloat16(np_dtype)
        self.int_mode = True
        self.sci_mode = False
        self.precision = PRINT_OPTS["precision"]
        if not self.floating:
            strs = [str(v) for v in values.tolist()]
            self.max_width = max((len(x) for x in strs), default=1)
            return
        self.max_width = 1
        finite = values[np.isfinite(values) & (values != 0)].astype(np.float64)
        if finite.size:
            mags = np.abs(finite)
            big, small = float(mags.max()), float(mags.min())
            self.int_mode = bool((np.ceil(finite) == finite).all())
            wide = big / small > 1000.0 or big > 1.0e8
            self.sci_mode = wide if self.int_mode else wide or small < 1.0e-4
            if self.sci_mode:
                widths = [len("%.*e" % (self.precision, v)) for v in finite.tolist()]
            elif self.int_mode:
                widths = [len("%.0f." % v) for v in finite.tolist()]
            else:
                widths = [len("%.*f" % (self.precision, v)) for v in finite.tolist()]
            self.max_width = max(widths)
        if PRINT_OPTS["sci_mode"] is not None:
            self.sci_mode = PRINT_OPTS["sci_mode"]

    def format(self, v):
        if not self.floating:
            s = str(v)
        elif self.sci_mode:
            s = "%.*e" % (self.precision, v)
        elif self.int_mode:
            s = "%.0f" % v
            if math.isfinite(v):
                s += "."
        else:
            s = "%.*f" % (self.precision, v)
        return s.rjust(self.max_width)


class _ComplexFormatter:
    """torch's pair of formatters for complex tensors: one for the real parts, one for the
    imaginary parts, each chosen from its own values; an element prints as ``1.+2.j``."""

    def __init__(self, values):
        self.real = _Formatter(values.real.astype(np.float64), np.dtype(np.float64))
        self.imag = _Formatter(values.imag.astype(np.float64), np.dtype(np.float64))
        # the line width counts both parts and the ``j``
        self.max_width = self.real.max_width + self.imag.max_width + 1

    def format(self, v):
        imag = (self.imag.format(v.imag) + "j").lstrip()
        return self.real.format(v.real) + ("" if imag[0] in "+-" else "+") + imag


def _summarized(arr):
    """The elements a summarised print shows: ``edgeitems`` from each end of every dim."""
    edge = PRINT_OPTS["edgeitems"]
    if arr.ndim == 0:
        return arr
    if arr.shape[0] > 2 * edge:
        arr = np.concatenate([arr[:edge], arr[arr.shape[0] - edge:]]) if edge else arr[:0]
    if arr.ndim == 1:
        return arr
    return np.stack([_summarized(x) for x in arr]) if arr.shape[0] else arr


def _tensor_body(arr, fmt, indent, summarize):
    edge = PRINT_OPTS["edgeitems"]
    if arr.ndim == 0:
        return fmt.format(arr.item())
    if arr.ndim == 1:
        n = arr.shape[0]
        if summarize and n > 2 * edge:
            items = ([fmt.format(v) for v in arr[:edge].tolist()] + [" ..."]
                     + [fmt.format(v) for v in arr[n - edge:].tolist()])
        else:
            items = [fmt.format(v) for v in arr.tolist()]
        per_line = max(1, int(math.floor((PRINT_OPTS["linewidth"] - indent)
                                         / (fmt.max_width + 2))))
        lines = [", ".join(items[i:i + per_line]) for i in range(0, len(items), per_line)]
        return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"
    n = arr.shape[0]
    if summarize and n > 2 * edge:
        rows = ([_tensor_body(arr[i], fmt, indent + 1, summarize) for i in range(edge)] + ["..."]
                + [_tensor_body(arr[i], fmt, indent + 1, summarize) for i in range(n - edge, n)])
    else:
        rows = [_tensor_body(arr[i], fmt, indent + 1, summarize) for i in range(n)]
    sep = "," + "\n" * (arr.ndim - 1) + " " * (indent + 1)
    return "[" + sep.join(rows) + "]"


def _with_suffixes(body, suffixes, indent):
    """Append ``, suffix`` items, moving one to a new line when it would pass the line width."""
    out = [body]
    last_line = len(body) - body.rfind("\n") + 1
    for suffix in suffixes:
        if last_line + len(suffix) + 2 > PRINT_OPTS["linewidth"]:
            out.append(",\n" + " " * indent + suffix)
            last_line = indent + len(suffix)
        else:
            out.append(", " + suffix)
            last_line += len(suffix) + 2
    return "".join(out) + ")"


def tensor_repr(t, prefix="tensor("):
    arr = t._data
    dtype = t.dtype
    indent = len(prefix)
    suffixes = []
    if arr.size == 0:
        body = "[]"
        if arr.ndim != 1:
            suffixes.append("size=(" + ", ".join(str(s) for s in arr.shape)
                            + ("," if arr.ndim == 1 else "") + ")")
        # No element shows what kind of number it is, so any non-default dtype is named.
        if dtype is not _dtype.get_default_dtype():
            suffixes.append("dtype=" + repr(dtype))
    else:
        summarize = arr.size > PRINT_OPTS["threshold"]
        values = (_summarized(arr) if summarize else arr).reshape(-1)
        if dtype.is_complex:
            fmt = _ComplexFormatter(values)
            arr = arr.astype(np.complex128)
        else:
            if dtype.is_floating_point:
                values = values.astype(np.float64)
                arr = arr.astype(np.float64)
            fmt = _Formatter(values, arr.dtype)
        body = _tensor_body(arr, fmt, indent, summarize)
        if dtype not in (_dtype.get_default_dtype(), _dtype._default_complex(), _dtype.int64,
                         _dtype.bool):
            suffixes.append("dtype=" + repr(dtype))
    fn = t._grad_fn
    if fn is not None:
        suffixes.append("grad_fn=<%s>" % fn.name())
    elif t._requires_grad:
        suffixes.append("requires_grad=True")
    return _with_suffixes(prefix + body, suffixes, indent)
