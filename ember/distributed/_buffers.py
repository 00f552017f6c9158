"""The bytes behind ember.distributed's collectives: tensors as MPI buffers, dtypes and
reduce ops mapped to MPI's, and the small description of a call that the ranks compare before
moving data (see ``distributed_c10d``)."""
import enum

from ember._backend import np

_MAX_DIMS = 8


def _mpi():
    from mpi4py import MPI

    return MPI


class RedOpType(enum.IntEnum):
    SUM = 0
    AVG = 1
    PRODUCT = 2
    MIN = 3
    MAX = 4
    BAND = 5
    BOR = 6
    BXOR = 7


# --- describing tensors to the other ranks --------------------------------------------------

_OPS = {name: i for i, name in enumerate((
    "all_reduce", "broadcast", "reduce", "all_gather", "all_gather_into_tensor", "reduce_scatter",
    "reduce_scatter_tensor", "gather", "scatter", "all_to_all", "all_to_all_single", "barrier"))}
_DTYPES = ("float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8", "bool")


def _describe(what, arr, extra=0):
    meta = np.full(4 + _MAX_DIMS, -1, dtype=np.int64)
    meta[0] = _OPS[what]
    meta[1] = _DTYPES.index(arr.dtype.name) if arr is not None else -1
    meta[2] = extra
    if arr is not None:
        meta[3] = arr.ndim
        dims = arr.shape[:_MAX_DIMS - 1] + ((int(np.prod(arr.shape[_MAX_DIMS - 1:])),)
                                            if arr.ndim >= _MAX_DIMS else ())
        meta[4:4 + len(dims)] = dims
    return meta


def _meta_str(meta, extra_name):
    if meta[0] < 0 or meta[0] >= len(_OPS):
        return "?"
    op = list(_OPS)[meta[0]]
    if meta[1] < 0:
        return op
    dims = [int(d) for d in meta[4:4 + min(int(meta[3]), _MAX_DIMS)]]
    text = "%s(%s%s)" % (op, _DTYPES[meta[1]], list(dims))
    if extra_name:
        text += " %s=%s" % (extra_name, _extra_str(extra_name, int(meta[2])))
    return text


def _extra_str(name, value):
    return RedOpType(value).name if name == "op" and 0 <= value < len(RedOpType) else str(value)

# --- arrays, dtypes and reductions -----------------------------------------------------------

def _array(tensor, name="tensor"):
    from ember._tensor import Tensor

    if not isinstance(tensor, Tensor):
        raise TypeError("%s must be a Tensor, got %s" % (name, type(tensor).__name__))
    return tensor._data


def _contiguous(arr):
    return arr if arr.flags.c_contiguous else np.ascontiguousarray(arr)


def _write(tensor, values):
    """Copy ``values`` into ``tensor`` in place (a collective's result)."""
    if values is not tensor._data:
        np.copyto(tensor._data, values.reshape(tensor._data.shape), casting="unsafe")
    tensor._bump_version()


def _bytes(arr):
    return arr.reshape(-1).view(np.uint8)


_BITWISE = (RedOpType.BAND, RedOpType.BOR, RedOpType.BXOR)


def _reduction(op, dtype):
    """(MPI op, working dtype, divide_by_size) for reducing ``dtype`` arrays with ``op``."""
    MPI = _mpi()
    op = RedOpType(op)
    if op in _BITWISE and dtype.kind == "f":
        raise RuntimeError("Cannot use ReduceOp.%s with a floating-point tensor (%s)"
                           % (op.name, dtype.name))
    if op == RedOpType.AVG and dtype.kind != "f":
        raise RuntimeError("ReduceOp.AVG needs a floating-point tensor, got %s" % dtype.name)
    work = np.dtype(np.float32) if dtype == np.float16 else dtype
    if dtype == np.bool_:
        # bools travel as 0/1 bytes: sum and max are "or", product and min are "and"
        work = np.dtype(np.uint8)
        op = {RedOpType.SUM: RedOpType.MAX, RedOpType.PRODUCT: RedOpType.MIN}.get(op, op)
    mpi_op = {RedOpType.SUM: MPI.SUM, RedOpType.AVG: MPI.SUM, RedOpType.PRODUCT: MPI.PROD,
              RedOpType.MIN: MPI.MIN, RedOpType.MAX: MPI.MAX, RedOpType.BAND: MPI.BAND,
              RedOpType.BOR: MPI.BOR, RedOpType.BXOR: MPI.BXOR}[op]
    return mpi_op, work, op == RedOpType.AVG


def _typed(arr, work):
    MPI = _mpi()
    mpi_type = {"float32": MPI.FLOAT, "float64": MPI.DOUBLE, "int8": MPI.INT8_T,
                "int16": MPI.INT16_T, "int32": MPI.INT32_T, "int64": MPI.INT64_T,
                "uint8": MPI.UINT8_T}[work.name]
    return [arr.view(work) if arr.dtype == np.bool_ else arr, mpi_type]


def _reduce_buffers(arr, op):
    """Send/receive buffers for reducing ``arr``, and a function giving the result."""
    mpi_op, work, average = _reduction(op, arr.dtype)
    send = np.ascontiguousarray(arr, dtype=work) if arr.dtype != np.bool_ else _contiguous(arr)
    recv = np.empty_like(send)
    return send, recv, mpi_op, work, average
