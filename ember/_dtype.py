"""ember's dtypes (``ember.float32`` ...) and torch's type-promotion rules."""
import builtins as _builtins

from ember._backend import np

_py_float, _py_int, _py_bool = _builtins.float, _builtins.int, _builtins.bool


# The package name dtypes and sizes print with: "ember", or "torch" while ``ember run`` runs a
# PyTorch script, so that what the script prints matches torch's output.
DISPLAY_PREFIX = ["ember"]


class dtype:
    """A tensor element type, like ``torch.dtype``. Compare with ``is`` or ``==``."""

    __slots__ = ("name", "np", "is_floating_point", "is_signed", "itemsize", "is_complex")

    def __init__(self, name, np_dtype, floating=False):
        self.name = name
        self.np = np.dtype(np_dtype)
        # ml_dtypes' bfloat16 is a NumPy "V" (void-kind) dtype that computes as a float
        self.is_floating_point = floating or self.np.kind == "f"
        self.is_complex = self.np.kind == "c"
        self.is_signed = floating or self.np.kind in "fic"
        self.itemsize = self.np.itemsize

    def __repr__(self):
        return DISPLAY_PREFIX[0] + "." + self.name

    def __reduce__(self):
        return (_dtype_by_name, (self.name,))

    def to_real(self):
        """The real dtype of a complex one (``complex64 -> float32``); other dtypes themselves."""
        return _COMPLEX_TO_REAL.get(self, self)

    def to_complex(self):
        """The complex dtype of a floating one (``float32 -> complex64``), as torch's."""
        if self.is_complex:
            return self
        if self in _REAL_TO_COMPLEX:
            return _REAL_TO_COMPLEX[self]
        if self is float16:
            raise TypeError("ember has no complex32 (torch.chalf): NumPy has no complex32 type")
        raise RuntimeError("Unknown Complex ScalarType for %s" % _word(self))


float16 = half = dtype("float16", np.float16)
float32 = float = dtype("float32", np.float32)
float64 = double = dtype("float64", np.float64)
int8 = dtype("int8", np.int8)
int16 = short = dtype("int16", np.int16)
int32 = int = dtype("int32", np.int32)
int64 = long = dtype("int64", np.int64)
uint8 = dtype("uint8", np.uint8)
bool = dtype("bool", np.bool_)
# torch's "barebones" unsigned types: tensors can hold them; promotion with another dtype
# other than a float is refused
uint16 = dtype("uint16", np.uint16)
uint32 = dtype("uint32", np.uint32)
uint64 = dtype("uint64", np.uint64)
_BAREBONES = (uint16, uint32, uint64)
complex64 = cfloat = dtype("complex64", np.complex64)
complex128 = cdouble = dtype("complex128", np.complex128)
_COMPLEX_TO_REAL = {complex64: float32, complex128: float64}
_REAL_TO_COMPLEX = {float32: complex64, float64: complex128}

all_dtypes = ((float16, float32, float64, int8, int16, int32, int64, uint8, bool) + _BAREBONES
              + (complex64, complex128))
_by_np = {d.np: d for d in all_dtypes}
_by_name = {d.name: d for d in all_dtypes}


def _dtype_by_name(name):
    return _by_name[name] if name != "bfloat16" else _bfloat16()


# --- bfloat16 (optional: NumPy's storage comes from the ml_dtypes package) ----------------------

_ML_DTYPES_MISSING = ("ember.bfloat16 needs the ml_dtypes package, which is not installed; "
                      "install it with `pip install 'ember[bfloat16]'` (or `pip install "
                      "ml_dtypes`)")


def _bfloat16():
    """``ember.bfloat16``, made (and ml_dtypes imported) on first use, so that ``import ember``
    does not need ml_dtypes."""
    made = _by_name.get("bfloat16")
    if made is not None:
        return made
    try:
        import ml_dtypes
    except ImportError:
        raise ImportError(_ML_DTYPES_MISSING) from None
    made = dtype("bfloat16", ml_dtypes.bfloat16, floating=True)
    _by_np[made.np] = _by_name["bfloat16"] = made
    _CATEGORY[made] = 2
    _REAL_TO_COMPLEX[made] = complex64  # torch's bfloat16.to_complex()
    globals()["bfloat16"] = made
    from ember import _bfloat16 as compute

    compute.SEEN[0] = True
    return made


def is_bfloat16(np_dtype):
    """Whether a NumPy dtype is ml_dtypes' bfloat16 (without importing ml_dtypes)."""
    return np_dtype.kind == "V" and np_dtype.name == "bfloat16"


def is_floating(np_dtype):
    """Whether a NumPy dtype holds a floating type of torch's (float16/32/64, bfloat16)."""
    return np_dtype.kind == "f" or is_bfloat16(np_dtype)


def __getattr__(name):
    if name == "bfloat16":
        return _bfloat16()
    raise AttributeError("module 'ember._dtype' has no attribute %r" % name)


def from_numpy_dtype(np_dtype):
    """The ember dtype of a NumPy dtype; TypeError for dtypes torch has no equivalent of."""
    try:
        return _by_np[np_dtype]
    except KeyError:
        pass
    try:
        return _by_np[np.dtype(np_dtype)]
    except (KeyError, TypeError):
        if getattr(np_dtype, "name", None) == "bfloat16":  # an array made by ml_dtypes' user
            return _bfloat16()
        raise TypeError(
            "can't convert np.ndarray of type %s. The only supported types are: float64, "
            "float32, float16, int64, int32, int16, int8, uint8, and bool." % np.dtype(np_dtype)
        ) from None


def as_dtype(d):
    """Normalise what users pass as ``dtype=`` (ember dtype, NumPy dtype, Python type)."""
    if d.__class__ is dtype:
        return d
    if d is _py_float:
        return get_default_dtype()
    if d is _py_int:
        return int64
    if d is _py_bool:
        return bool
    if d is complex:
        return complex128
    if isinstance(d, str):
        name = d[6:] if d.startswith("torch.") else d[6:] if d.startswith("ember.") else d
        if name in _by_name:
            return _by_name[name]
        if name == "bfloat16":
            return _bfloat16()
        aliases = {"float": float32, "double": float64, "half": float16, "long": int64,
                   "int": int32, "short": int16, "cfloat": complex64, "cdouble": complex128}
        if name in aliases:
            return aliases[name]
    try:
        return from_numpy_dtype(np.dtype(d))
    except TypeError:
        raise TypeError("%r is not a valid ember dtype" % (d,)) from None


_default_dtype = float32


def _default_complex():
    """The complex dtype Python complex numbers become: complex128 when the default dtype is
    float64, else complex64 (torch's default complex dtype follows the default float)."""
    return complex128 if _default_dtype is float64 else complex64


def get_default_dtype():
    """The default floating point dtype (``float32`` unless changed), as torch's."""
    return _default_dtype


def set_default_dtype(d):
    """Set the default floating point dtype; only float16/32/64 are allowed, as in torch."""
    global _default_dtype
    d = as_dtype(d)
    if not d.is_floating_point:
        raise TypeError("only floating-point types are supported as the default type")
    _default_dtype = d


# --- promotion -----------------------------------------------------------------------------------

_CATEGORY = {bool: 0}
for _d in (int8, int16, int32, int64, uint8) + _BAREBONES:
    _CATEGORY[_d] = 1
for _d in (float16, float32, float64):
    _CATEGORY[_d] = 2
_CATEGORY[complex64] = _CATEGORY[complex128] = 3


def _word(d):
    from ember._tensor_str import dtype_word

    return dtype_word(d.np)


def promote_types(a, b):
    """torch.promote_types: the smallest dtype both ``a`` and ``b`` convert to safely.

    Differs from NumPy where torch does: an integer with a float gives that float
    (``int64 + float16 -> float16``), not a wider float.
    """
    if a is b:
        return a
    ca, cb = _CATEGORY[a], _CATEGORY[b]
    if (a in _BAREBONES or b in _BAREBONES) and ca < 2 and cb < 2:
        raise RuntimeError("Promotion for uint16, uint32, uint64 types is not supported, "
                           "attempted to promote %s and %s" % (_word(a), _word(b)))
    if ca != cb and min(ca, cb) < 2:
        return a if ca > cb else b
    if ca != cb:  # complex with float: the complex dtype of the wider real precision
        return promote_types(a.to_real(), b.to_real()).to_complex()
    return _by_np[np.promote_types(a.np, b.np)]


def _scalar_dtype(x):
    if isinstance(x, _py_bool):
        return bool
    if isinstance(x, _py_int):
        return int64
    if isinstance(x, _py_float):
        return _default_dtype
    if isinstance(x, complex):
        return _default_complex()
    if isinstance(x, np.generic):
        k = x.dtype.kind
        if k == "c":
            return _default_complex()
        return bool if k == "b" else int64 if k in "iu" else _default_dtype
    raise TypeError("unsupported scalar type %s" % type(x).__name__)


def _combine(higher, lower):
    """Merge a higher-priority participant's dtype with a lower one's, as torch does."""
    if higher is None:
        return lower
    if lower is None:
        return higher
    if _CATEGORY[higher] == 3:
        return higher
    if _CATEGORY[lower] == 3:
        # a float keeps its precision and becomes complex; an integer or bool takes the complex
        return higher.to_complex() if _CATEGORY[higher] == 2 else lower
    if _CATEGORY[higher] == 2:
        return higher
    if higher is bool or _CATEGORY[lower] == 2:
        return promote_types(higher, lower)
    return higher


def result_type(*operands):
    """torch.result_type for tensors and Python scalars.

    Tensors with dimensions outrank zero-dim tensors, which outrank Python scalars; a lower
    rank only matters when its category (bool < integer < float < complex) is higher. A Python float
    counts as the default dtype, a Python int as int64.
    """
    dim = zero = wrapped = None
    for x in operands:
        d = getattr(x, "dtype", None)
        if d is None or d.__class__ is not dtype:
            d = _scalar_dtype(x)
            wrapped = d if wrapped is None else promote_types(wrapped, d)
        elif x.ndim == 0:
            zero = d if zero is None else promote_types(zero, d)
        else:
            dim = d if dim is None else promote_types(dim, d)
    return _combine(dim, _combine(zero, wrapped))


def check_int_overflow(arr, dtype):
    """torch's RuntimeError when integers in ``arr`` do not fit the integer ``dtype`` (c10's
    rule: an unsigned type also takes -max..-1, which wrap)."""
    if arr.dtype.kind in "iu" and dtype.np.kind in "iu" and arr.size:
        info = np.iinfo(dtype.np)
        lowest = -info.max if info.min == 0 else info.min
        if arr.min() < lowest or arr.max() > info.max:
            raise RuntimeError("value cannot be converted to type %s without overflow"
                               % dtype.np.name)
