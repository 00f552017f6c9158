"""Printing tensors exactly as torch prints them (``tensor([[1., 2.]], requires_grad=True)``).

Rules (torch's ``_tensor_str``): all elements of a float tensor share one format: integral
values print as ``1.``, others with 4 decimals, switching to scientific notation when the
range is wide (max/min > 1000, max > 1e8 or min < 1e-4); more than 1000 elements are
summarised with ``...``; rows wrap at 80 columns; the dtype is shown when it is not implied.
"""
import math

import numpy as np

from ember import _dtype as D

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
           "int8": "CharTensor", "uint8": "ByteTensor", "bool": "BoolTensor"}
_WORD = {"float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long",
         "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool"}


def legacy_type_name(dtype):
    return "torch." + _LEGACY[dtype.name]


def dtype_word(np_dtype):
    """torch's one-word dtype name used in error messages (``Float``, ``Long``...)."""
    return _WORD[D.from_numpy_dtype(np_dtype).name]


class _Formatter:
    def __init__(self, values, dtype):
        self.floating = dtype.kind == "f"
        self.int_mode = True
        self.sci_mode = False
        self.max_width = 1
        prec = PRINT_OPTS["precision"]
        self.precision = prec
        if dtype.kind == "b":
            self.max_width = max((len(str(bool(v))) for v in values), default=1)
            return
        if not self.floating:
            self.max_width = max((len(str(int(v))) for v in values), default=1)
            return
        finite = values[np.isfinite(values)]
        nonzero = np.abs(finite[finite != 0])
        if nonzero.size == 0:
            strs = ["%.0f." % v if np.isfinite(v) else str(v) for v in values]
            self.max_width = max((len(_nonfinite(v) if not np.isfinite(v) else "%.0f." % v)
                                  for v in values), default=1)
            self._fmt_int(values)
            return
        self.int_mode = bool((np.ceil(nonzero) == nonzero).all())
        mx, mn = float(nonzero.max()), float(nonzero.min())
        if self.int_mode:
            if mx / mn > 1000.0 or mx > 1.0e8:
                self.sci_mode = True
        else:
            if mx / mn > 1000.0 or mx > 1.0e8 or mn < 1.0e-4:
                self.sci_mode = True
        if PRINT_OPTS["sci_mode"] is not None:
            self.sci_mode = PRINT_OPTS["sci_mode"]
        self.max_width = max((len(self.format(v, pad=False)) for v in values), default=1)

    def _fmt_int(self, values):
        self.int_mode = True

    def format(self, v, pad=True):
        if not self.floating:
            s = str(bool(v)) if isinstance(v, (bool, np.bool_)) else str(int(v))
        elif not np.isfinite(v):
            s = _nonfinite(v)
        elif self.sci_mode:
            s = "%.*e" % (self.precision, v)
        elif self.int_mode:
            s = "%.0f." % v
            if s in ("-0.",):
                s = "-0."
        else:
            s = "%.*f" % (self.precision, v)
        return s.rjust(self.max_width) if pad else s


def _nonfinite(v):
    if np.isnan(v):
        return "nan"
    return "inf" if v > 0 else "-inf"


def _summarized(arr):
    edge = PRINT_OPTS["edgeitems"]
    if arr.ndim == 0:
        return arr.reshape(-1)
    if arr.shape[0] > 2 * edge:
        parts = [_summarized(arr[:edge]), _summarized(arr[-edge:])]
    else:
        parts = [_summarized(arr)] if arr.ndim == 1 else [_summarized(x) for x in arr]
        if arr.ndim == 1:
            return arr.reshape(-1)
    return np.concatenate([p.reshape(-1) for p in parts])


def _tensor_body(arr, fmt, indent, summarize):
    edge = PRINT_OPTS["edgeitems"]
    if arr.ndim == 0:
        return fmt.format(arr.item(), pad=False)
    if arr.ndim == 1:
        items = [fmt.format(v) for v in arr.tolist()]
        if summarize and arr.shape[0] > 2 * edge:
            items = items[:edge] + ["..."] + items[-edge:]
        width = fmt.max_width + 2
        per_line = max(1, int(math.floor((PRINT_OPTS["linewidth"] - indent) / width)))
        lines = [", ".join(items[i:i + per_line]) for i in range(0, len(items), per_line)]
        return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"
    if summarize and arr.shape[0] > 2 * edge:
        rows = [_tensor_body(arr[i], fmt, indent + 1, summarize) for i in range(edge)]
        rows += ["..."]
        rows += [_tensor_body(arr[i], fmt, indent + 1, summarize)
                 for i in range(arr.shape[0] - edge, arr.shape[0])]
    else:
        rows = [_tensor_body(arr[i], fmt, indent + 1, summarize) for i in range(arr.shape[0])]
    sep = "," + "\n" * (arr.ndim - 1) + " " * (indent + 1)
    return "[" + sep.join(rows) + "]"


def tensor_repr(t, prefix="tensor("):
    arr = t._data
    dtype = t.dtype
    indent = len(prefix)
    suffixes = []
    summarize = arr.size > PRINT_OPTS["threshold"]
    if arr.size == 0:
        body = "[]"
        if arr.ndim != 1:
            suffixes.append("size=(" + ", ".join(str(s) for s in arr.shape)
                            + ("," if arr.ndim == 1 else "") + ")")
    else:
        values = _summarized(arr) if summarize else arr.reshape(-1)
        if dtype.is_floating_point:
            values = values.astype(np.float64)
        fmt = _Formatter(values, arr.dtype)
        body = _tensor_body(arr, fmt, indent, summarize)
    implied = (D.get_default_dtype(), D.int64, D.bool)
    if dtype not in implied:
        suffixes.append("dtype=" + repr(dtype))
    elif dtype is D.int64 and arr.size == 0:
        suffixes.append("dtype=" + repr(dtype))
    fn = t._grad_fn
    if fn is not None:
        suffixes.append("grad_fn=<%s>" % fn.name())
    elif t._requires_grad:
        suffixes.append("requires_grad=True")
    out = prefix + body
    for s in suffixes:
        out += ", " + s
    return out + ")"
