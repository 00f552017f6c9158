"""torch's names for storages and dtypes in a checkpoint, and what ``ember.load`` does with the
ones ember lacks.

A tensor of a dtype ember does not have (``torch.uint16``, float8, complex, bfloat16, ...) loads
as a placeholder, so that loading can go on and the error can name every key that holds one
(``_refuse_unsupported``); a dtype that ember gains in ``ember._dtype`` loads from then on.
"""
from ember import _dtype
from ember._tensor import Tensor

# torch's storage classes and the dtype each holds. A name that ember has no dtype for (it is not
# in ``_dtype._by_name``) loads as a placeholder, reported with its key once loading ends.
_TORCH_STORAGES = {
    "FloatStorage": "float32", "DoubleStorage": "float64", "HalfStorage": "float16",
    "LongStorage": "int64", "IntStorage": "int32", "ShortStorage": "int16", "CharStorage": "int8",
    "ByteStorage": "uint8", "BoolStorage": "bool", "BFloat16Storage": "bfloat16",
    "ComplexFloatStorage": "complex64", "ComplexDoubleStorage": "complex128",
    "QInt8Storage": "qint8", "QUInt8Storage": "quint8", "QInt32Storage": "qint32",
    "QUInt4x2Storage": "quint4x2", "QUInt2x4Storage": "quint2x4",
}
# Every other dtype torch can write (as ``torch.<name>`` beside an UntypedStorage). A name here
# that ember gains in ``_dtype`` loads; the rest are placeholders, as above.
_TORCH_DTYPE_NAMES = (
    "bfloat16", "complex32", "complex64", "complex128", "uint16", "uint32", "uint64",
    "float8_e4m3fn", "float8_e4m3fnuz", "float8_e5m2", "float8_e5m2fnuz", "float8_e8m0fnu",
    "float4_e2m1fn_x2", "bits1x8", "bits2x4", "bits4x2", "bits8", "bits16", "qint8", "quint8",
    "qint32", "quint4x2", "quint2x4", "int1", "int2", "int3", "int4", "int5", "int6", "int7",
    "uint1", "uint2", "uint3", "uint4", "uint5", "uint6", "uint7",
)
_DTYPE_ALIASES = {"float": "float32", "double": "float64", "half": "float16", "long": "int64",
                  "int": "int32", "short": "int16", "cfloat": "complex64",
                  "cdouble": "complex128", "chalf": "complex32"}
# torch's rebuild functions for tensor kinds ember does not have: refused by name.
_TORCH_TENSOR_KINDS = {
    "_rebuild_sparse_tensor": "a sparse tensor", "_rebuild_sparse_csr": "a sparse tensor",
    "_rebuild_qtensor": "a quantized tensor", "_rebuild_nested_tensor": "a nested tensor",
    "_rebuild_wrapper_subclass": "a tensor subclass", "_rebuild_from_type_v2": "a tensor subclass",
    "_rebuild_meta_tensor_no_storage": "a meta tensor",
    "_rebuild_device_tensor_from_numpy": "a device tensor", "_rebuild_xla_tensor": "an XLA tensor",
    "_rebuild_mtia_tensor": "an MTIA tensor",
}


class _StorageType:
    """What ``torch.FloatStorage`` and friends unpickle to: the element dtype of a storage.

    ``dtype`` is None for a storage of a dtype ember lacks; ``dtype_name`` is torch's name of it.
    """

    __slots__ = ("dtype", "name", "dtype_name")

    def __init__(self, dtype, name, dtype_name):
        self.dtype, self.name, self.dtype_name = dtype, name, dtype_name

    def __repr__(self):
        return "torch." + self.name


_STORAGE_TYPES = {n: _StorageType(_dtype._by_name.get(d), n, d)
                  for n, d in _TORCH_STORAGES.items()}
_STORAGE_TYPES["UntypedStorage"] = _StorageType(_dtype.uint8, "UntypedStorage", "uint8")


class _UnsupportedDtype:
    """A torch dtype ember does not have, as it comes out of a checkpoint (``torch.uint16``).

    Loading goes on so that the error can name every key that holds one (``_refuse_unsupported``).
    """

    __slots__ = ("name",)

    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return "torch." + self.name


class _UnsupportedTensor:
    """A tensor of a dtype ember lacks, left in place of it until loading ends."""

    __slots__ = ("dtype",)

    def __init__(self, dtype):
        self.dtype = dtype


class _UnsupportedStorage:
    """A storage of a dtype ember lacks: its bytes are never read."""

    __slots__ = ("dtype",)

    def __init__(self, dtype):
        self.dtype = dtype


# bfloat16 is made on first use (it needs the optional ml_dtypes): never a placeholder
_UNSUPPORTED_DTYPES = {n: _UnsupportedDtype(n) for n in _TORCH_DTYPE_NAMES
                       if n not in _dtype._by_name and n != "bfloat16"}


def _torch_dtype(name):
    """ember's dtype for torch's dtype ``name``, its placeholder if ember lacks it, else None."""
    name = _DTYPE_ALIASES.get(name, name)
    if name == "bfloat16":
        return _dtype._bfloat16()
    return _dtype._by_name.get(name) or _UNSUPPORTED_DTYPES.get(name)


def _storage_type(name):
    """What torch's storage class ``name`` unpickles to (bfloat16's made on first use)."""
    found = _STORAGE_TYPES[name]
    if found.dtype is None and found.dtype_name == "bfloat16":
        found.dtype = _dtype._bfloat16()
    return found


_EMBER_DTYPES = ", ".join(d.name for d in _dtype.all_dtypes)


def _refuse_unsupported(obj, name, dtypes):
    """Raise ``RuntimeError`` naming each place in ``obj`` that holds a tensor (or a dtype) of a
    dtype ember lacks; ``dtypes`` are the ones the load met (named even if no place is found)."""
    found, seen, todo = [], set(), [(obj, "")]
    while todo:
        x, path = todo.pop()
        if isinstance(x, (_UnsupportedTensor, _UnsupportedDtype)):
            kind = "a tensor of dtype torch." + x.dtype if type(x) is _UnsupportedTensor else x
            found.append("%s holds %s" % (path or "the checkpoint", kind))
            continue
        if id(x) in seen or isinstance(x, (str, bytes, int, float, Tensor, type)):
            continue
        seen.add(id(x))
        if isinstance(x, dict):
            items = [(v, path + "[%r]" % (k,)) for k, v in x.items()]
        elif isinstance(x, (list, tuple, set, frozenset)):
            items = [(v, path + "[%d]" % i) for i, v in enumerate(x)]
        elif isinstance(getattr(x, "__dict__", None), dict):
            items = [(v, path + "." + k) for k, v in vars(x).items()]
        else:
            continue
        todo.extend(reversed(items))
    if len(found) > 8:
        found[8:] = ["and %d more" % (len(found) - 8)]
    raise RuntimeError("%s holds data of a dtype ember does not support (%s): %s. ember's "
                       "dtypes: %s" % (name, ", ".join("torch." + d for d in sorted(dtypes)),
                                       "; ".join(found) or "inside an object", _EMBER_DTYPES))
