"""How a tensor's array is built from what ``ember.tensor`` and ``Tensor(...)`` accept (nested
sequences with tensors or NumPy scalars among them, scalars, arrays), with torch's dtype inference
(torch's tensor_new).
"""
from ember import _dtype
from ember._backend import np
from ember._tensor import Tensor


def _as_array(data, dtype=None):
    """Convert what ``ember.tensor`` accepts (nested sequences, scalars, arrays) to an ndarray."""
    if dtype is not None:
        dtype = _dtype.as_dtype(dtype)
    if isinstance(data, Tensor):
        arr = data._data
        return arr.astype(dtype.np) if dtype is not None else arr.copy()
    if isinstance(data, np.ndarray):
        if dtype is None:
            _dtype.from_numpy_dtype(data.dtype)
            return data.copy()
        return data.astype(dtype.np)
    if isinstance(data, (list, tuple)) and any(_contains_tensor(x) for x in data):
        data = _tensors_to_lists(data)
    try:
        arr = np.array(data)
    except ValueError as e:
        raise ValueError("expected sequence of equal length lists, could not build a tensor "
                         "from %r: %s" % (type(data).__name__, e)) from None
    if arr.dtype == object:
        raise TypeError("Could not infer dtype of %s" % type(data).__name__)
    if dtype is not None:
        _dtype.check_int_overflow(arr, dtype)
        return arr.astype(dtype.np)
    kind = arr.dtype.kind
    scalar_dtype = _numpy_scalar_dtype(data) if kind in "fiuc" else None
    if scalar_dtype is not None:
        # NumPy scalars carry their dtype (torch keeps np.float64 / np.int32 items' types);
        # Python floats among them count as the default dtype, Python ints as int64, Python
        # complex numbers as the default complex dtype.
        if kind == "c" and _has_python_scalar(data, complex):
            scalar_dtype = _dtype.promote_types(scalar_dtype, _dtype._default_complex())
        if kind in "fc" and _has_python_scalar(data, float):
            scalar_dtype = _dtype.promote_types(scalar_dtype, _dtype.get_default_dtype())
        elif _has_python_scalar(data, int):
            scalar_dtype = _dtype.promote_types(scalar_dtype, _dtype.int64)
        return arr.astype(scalar_dtype.np)
    if kind == "f":
        return arr.astype(_dtype.get_default_dtype().np)
    if kind in "iu":
        return arr.astype(np.int64)
    if kind == "b":
        return arr
    if kind in "US":
        raise TypeError("new(): invalid data type 'str'")
    if kind == "c":
        return arr.astype(_dtype._default_complex().np)
    return arr.astype(_dtype.from_numpy_dtype(arr.dtype).np)


def _numpy_scalar_dtype(x):
    """The promoted dtype of the NumPy scalars nested in ``x`` (None when there are none)."""
    if isinstance(x, np.generic):
        return _dtype.from_numpy_dtype(x.dtype)
    if isinstance(x, (list, tuple)):
        found = None
        for y in x:
            d = _numpy_scalar_dtype(y)
            if d is not None:
                found = d if found is None else _dtype.promote_types(found, d)
        return found
    return None


def _has_python_scalar(x, typ):
    if type(x) is typ:
        return True
    if isinstance(x, (list, tuple)):
        return any(_has_python_scalar(y, typ) for y in x)
    return False


def _contains_tensor(x):
    if isinstance(x, Tensor):
        return True
    if isinstance(x, (list, tuple)):
        return any(_contains_tensor(y) for y in x)
    return False


def _tensors_to_lists(x):
    if isinstance(x, Tensor):
        if x.numel() != 1 and x.dim() == 0:
            raise ValueError("only one element tensors can be converted to Python scalars")
        return x._data.tolist()
    if isinstance(x, (list, tuple)):
        return [_tensors_to_lists(y) for y in x]
    return x
