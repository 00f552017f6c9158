"""Lookup-table ops: embedding, embedding_bag, one_hot."""
from ember._backend import add_at, array_module, np
from ember._tensor import _make
from ember.autograd.function import Node
from ember.ops.indexing import check_select_bounds
from ember.ops.nn.activation import _const
from ember.ops.registry import ErrorInput, SampleInput, T, register_nn


class Embedding(Node):
    """weight[indices]; the backward scatters-adds rows (padding row excluded)."""

    def forward(ctx, w, idx, padding_idx, scale_grad_by_freq):
        ctx.idx, ctx.num, ctx.padding_idx = idx, w.shape[0], padding_idx
        ctx.scale = scale_grad_by_freq
        return w[idx]

    def backward(ctx, g):
        return EmbeddingBackward.apply((g,), ctx.idx, ctx.num, ctx.padding_idx, ctx.scale)

    @staticmethod
    def onnx(call):
        idx = call.input_of(call.params[0])
        call.out_dyn = [set(call.tracer.dyn.get(idx, ()))]
        return call.g.op("Gather", call.inputs[0], idx, axis=0)


class EmbeddingBackward(Node):
    def forward(ctx, g, idx, num, padding_idx, scale_grad_by_freq):
        ctx.idx = idx
        dim = g.shape[-1]
        flat = idx.reshape(-1)
        g2 = g.reshape(flat.size, dim)  # not -1: dim may be 0
        if scale_grad_by_freq:
            counts = np.bincount(flat, minlength=num).astype(g.dtype)
            g2 = g2 / counts[flat][:, None]
        if padding_idx is not None:
            keep = flat != padding_idx
            flat, g2 = flat[keep], g2[keep]
        out = array_module(g).zeros((num, dim), dtype=g.dtype)
        add_at(out, flat, g2)
        ctx.padding_idx, ctx.scale, ctx.num = padding_idx, scale_grad_by_freq, num
        return out

    def backward(ctx, gg):
        res = Embedding.apply((gg,), ctx.idx, None, False)
        mult = None
        if ctx.scale:
            flat = ctx.idx.reshape(-1)
            mult = 1.0 / np.bincount(flat, minlength=ctx.num)[ctx.idx]
        if ctx.padding_idx is not None:
            keep = (ctx.idx != ctx.padding_idx).astype(float)
            mult = keep if mult is None else mult * keep
        if mult is not None:
            res = res * _const(mult[..., None].astype(gg._data.dtype))
        return res


def _check_indices(input, name="embedding"):
    if input._data.dtype.kind not in "iu" or input._data.dtype.itemsize < 4:
        raise RuntimeError("Expected tensor for argument #1 'indices' to have one of the following "
                           "scalar types: Long, Int; but got %s instead (while checking arguments "
                           "for %s)" % (input.type(), name))


def _embedding_renorm(weight, idx, max_norm, norm_type):
    rows = np.unique(idx)
    w = weight._data
    norms = np.sum(np.abs(w[rows]) ** norm_type, axis=1) ** (1.0 / norm_type)
    big = norms > max_norm
    scale = (max_norm / (norms[big] + 1e-7)).astype(w.dtype)
    w[rows[big]] *= scale[:, None]
    weight._bump_version()


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0,
              scale_grad_by_freq=False, sparse=False):
    """Rows of ``weight`` at the integer ``input`` indices.

    ``padding_idx``'s row gets no gradient; ``max_norm`` renormalises the looked-up rows of
    ``weight`` in place first, as torch does.
    """
    num = weight._data.shape[0]
    if padding_idx is not None:
        if padding_idx > 0:
            if padding_idx >= num:
                raise AssertionError("Padding_idx must be within num_embeddings")
        elif padding_idx < 0:
            if padding_idx < -num:
                raise AssertionError("Padding_idx must be within num_embeddings")
            padding_idx = num + padding_idx
    _check_indices(input)
    if weight._data.ndim != 2:
        raise RuntimeError("'weight' must be 2-D")
    idx = input._data.astype(np.intp, copy=False)
    check_select_bounds(idx.reshape(-1), weight._data.shape, 0)  # torch's lookup is one
    if max_norm is not None:
        _embedding_renorm(weight, idx, max_norm, norm_type)
    return Embedding.apply((weight,), idx, padding_idx, scale_grad_by_freq)


def _embedding_samples(dtype):
    # padding_idx and scale_grad_by_freq alter the gradient on purpose (gradcheck would fail):
    # tests/nn/test_sparse.py compares them with torch.
    yield SampleInput(T(2, 3, dtype="int64", low=0, high=6, grad=False), T(6, 4))
    yield SampleInput(T(5, dtype="int64", low=0, high=6, grad=False), T(6, 4))


def _embedding_errors():
    yield ErrorInput(SampleInput(T(3), T(6, 4)), RuntimeError, "Long, Int")
    yield ErrorInput(SampleInput(T(3, dtype="int64", values=[0, 7, 1]), T(6, 4)), IndexError,
                     "index out of range")
    # an empty weight takes index_select's other checks (RuntimeError, not IndexError)
    yield ErrorInput(SampleInput(T(1, 3, dtype="int64", values=[[0, 1, 2]]), T(0, 4)),
                     RuntimeError, "self indexing axis dim should be positive")
    yield ErrorInput(SampleInput(T(3, dtype="int64", values=[0, 5, 1]), T(3, 0)),
                     RuntimeError, "INDICES element is out of DATA bounds, id=5 axis_dim=3")


register_nn("embedding", embedding, _embedding_samples, _embedding_errors)


def embedding_bag(input, weight, offsets=None, max_norm=None, norm_type=2, scale_grad_by_freq=False,
                  mode="mean", sparse=False, per_sample_weights=None, include_last_offset=False,
                  padding_idx=None):
    """Sums, means or maxes of bags of embeddings, without building the per-index rows list.

    ``input`` is ``(B, N)`` (fixed-size bags) or 1-D with ``offsets`` giving each bag's start.
    """
    _check_indices(input, "embedding_bag")
    if mode not in ("sum", "mean", "max"):
        raise ValueError("mode has to be one of sum, mean or max")
    if per_sample_weights is not None and mode != "sum":
        raise NotImplementedError("embedding_bag: per_sample_weights was not None. "
                                  "per_sample_weights is only supported for mode='sum' (got "
                                  "mode='%s'). Please open a feature request on GitHub." % mode)
    num = weight._data.shape[0]
    if padding_idx is not None and padding_idx < 0:
        padding_idx += num
    idx = input._data.astype(np.int64)
    if idx.ndim == 2:
        if offsets is not None:
            raise ValueError("if input is 2D, then offsets has to be None, as input is treated is "
                             "a mini-batch of fixed length sequences. However, found offsets of "
                             "type %s" % type(offsets).__name__)
        b, n = idx.shape
        starts = array_module(idx).arange(0, b * n, n, dtype=np.int64)
        flat = idx.reshape(-1)
        psw = per_sample_weights.reshape(-1) if per_sample_weights is not None else None
    elif idx.ndim == 1:
        if offsets is None:
            raise ValueError("offsets has to be a 1D Tensor but got None")
        starts = offsets._data.astype(np.int64)
        if include_last_offset:
            starts = starts[:-1]
        flat = idx
        psw = per_sample_weights
    else:
        raise ValueError("input has to be 1D or 2D Tensor, but got Tensor of dimension %d"
                         % idx.ndim)
    if flat.size and (flat.min() < 0 or flat.max() >= num):
        raise IndexError("index out of range in self")
    if max_norm is not None:
        _embedding_renorm(weight, flat, max_norm, norm_type)
    nbags = starts.size
    ends = np.append(starts[1:], flat.size)
    bag_of = np.repeat(array_module(flat).arange(nbags), ends - starts)
    xp = array_module(flat)
    valid = xp.ones(flat.size, dtype=bool) if padding_idx is None else flat != padding_idx
    rows = embedding(_make(flat), weight, padding_idx, None, scale_grad_by_freq)
    if mode == "max":
        return _bag_max(rows, bag_of, valid, nbags)
    counts = np.bincount(bag_of[valid], minlength=nbags).astype(weight._data.dtype)
    coef = valid.astype(weight._data.dtype)
    if mode == "mean":
        coef = coef / np.maximum(counts, 1)[bag_of]
    mat = array_module(flat).zeros((nbags, flat.size), dtype=weight._data.dtype)
    mat[bag_of, array_module(flat).arange(flat.size)] = coef
    if psw is not None:
        return (_const(mat) * psw.reshape(1, -1)) @ rows
    return _const(mat) @ rows


class _BagMax(Node):
    def forward(ctx, rows, bag_of, valid, nbags):
        out = array_module(rows).zeros((nbags, rows.shape[1]), dtype=rows.dtype)
        arg = array_module(rows).full((nbags, rows.shape[1]), -1, dtype=np.int64)
        for i in range(rows.shape[0]):
            if not valid[i]:
                continue
            b = bag_of[i]
            better = (arg[b] < 0) | (rows[i] > out[b])
            out[b] = np.where(better, rows[i], out[b])
            arg[b] = np.where(better, i, arg[b])
        ctx.arg, ctx.n = arg, rows.shape[0]
        return out

    def backward(ctx, g):
        sel = array_module(g._data).zeros((ctx.n,) + ctx.arg.shape, dtype=g._data.dtype)
        b_idx, c_idx = np.nonzero(ctx.arg >= 0)
        sel[ctx.arg[b_idx, c_idx], b_idx, c_idx] = 1
        return (g.unsqueeze(0) * _const(sel)).sum(1)


def _bag_max(rows, bag_of, valid, nbags):
    return _BagMax.apply((rows,), bag_of, valid, nbags)


def one_hot(tensor, num_classes=-1):
    """int64 one-hot encoding of an integer tensor along a new last dimension."""
    if tensor._data.dtype != np.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    a = tensor._data
    if num_classes == -1:
        if a.size == 0:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        num_classes = int(a.max()) + 1
    if a.size:
        if a.min() < 0:
            raise RuntimeError("Class values must be non-negative.")
        if a.max() >= num_classes:
            raise RuntimeError("Class values must be smaller than num_classes.")
    return _make((a[..., None] == array_module(a).arange(num_classes)).astype(np.int64))


register_nn("one_hot", one_hot, lambda dt: iter([
    SampleInput(T(2, 3, dtype="int64", low=0, high=5, grad=False), 6),
    SampleInput(T(4, dtype="int64", low=0, high=5, grad=False))]),
    lambda: iter([ErrorInput(SampleInput(T(3, dtype="int64", values=[0, 7, 1]), 4),
                             RuntimeError, "smaller than num_classes")]),
    dtypes=("int64",), grad=False)
