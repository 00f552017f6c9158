"""Attention: ``scaled_dot_product_attention`` and ``multi_head_attention_forward``, as
``torch.nn.functional``.

Both are compositions of ember ops (matmul, softmax, dropout, linear), so their gradients and
second derivatives come from those ops. Masks are folded into one constant additive bias where
they carry no gradient; a float mask that requires grad is added as a tensor.
"""
import math
import warnings

from ember import _dtype
from ember._backend import array_module, np
from ember._tensor import Tensor, _make
from ember.ops.blas import matmul
from ember.ops.indexing import where
from ember.ops.manipulation import cat
from ember.ops.nn.activation_softmax import softmax
from ember.ops.nn.dropout import dropout
from ember.ops.nn.linear import linear
from ember.ops.nn.padding import pad
from ember.ops._util import joined_zeros
from ember.ops.registry import ErrorInput, OpInfo, SampleInput, T, register

__all__ = ["scaled_dot_product_attention", "multi_head_attention_forward"]


def _mask_bias(attn_mask, is_causal, q_len, k_len, dtype):
    """(constant additive bias array or None, float mask tensor to add or None)."""
    bias = None
    tensor_mask = None
    if is_causal:
        causal = np.tril(np.ones((q_len, k_len), dtype=bool))
        bias = np.where(causal, dtype.type(0), dtype.type(-np.inf))
    if attn_mask is not None:
        m = attn_mask._data
        if m.dtype == np.bool_:
            b = np.where(m, dtype.type(0), dtype.type(-np.inf))
            bias = b if bias is None else bias + b
        elif attn_mask.requires_grad:
            tensor_mask = attn_mask if m.dtype == dtype else attn_mask.to(_dtype_of(dtype))
        else:
            b = m.astype(dtype, copy=False)
            bias = b if bias is None else bias + b
    return bias, tensor_mask


def _dtype_of(np_dtype):
    return _dtype.from_numpy_dtype(np_dtype)


# The backends ``nn.attention.sdpa_kernel`` leaves enabled (torch's numbering: 0 math, 1 flash,
# 2 efficient, 3 cuDNN, 4 overrideable). ember computes the math formula, which every backend
# approximates; like torch on the CPU, it refuses only when both math and flash are off.
_sdpa_backends = {0, 1, 2, 3, 4}


def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0,
                                 is_causal=False, scale=None, enable_gqa=False):
    """softmax(Q K^T * scale + mask) V over the last two dims, batch dims broadcast.

    Args:
        query: ``(..., L, E)``; key: ``(..., S, E)``; value: ``(..., S, Ev)``.
        attn_mask: boolean (``True`` = may attend) or additive float mask broadcastable to
            ``(..., L, S)``.
        dropout_p: dropout probability on the attention weights (always applied, as torch).
        is_causal: mask out keys after each query (top-left aligned ``tril``); not together
            with ``attn_mask`` (an error, as documented for torch).
        scale: factor on the scores; default ``1 / sqrt(E)``.
        enable_gqa: let key/value have fewer heads (dim -3) than query, repeated to match.

    A query that may attend to no key gets a zero output (and zero gradient), as torch's.

    Example::

        >>> import ember
        >>> q = k = v = ember.randn(2, 4, 5, 8)
        >>> ember.nn.functional.scaled_dot_product_attention(q, k, v, is_causal=True).shape
        ember.Size([2, 4, 5, 8])
    """
    if not _sdpa_backends & {0, 1}:
        raise RuntimeError("No viable backend for scaled_dot_product_attention was found. This is "
                           "likely due to turning off both the math kernel and the fused kernels.")
    if is_causal and attn_mask is not None:
        raise RuntimeError("_scaled_dot_product_attention: Explicit attn_mask should not be set "
                           "when is_causal=True")
    q_len, k_len = query.shape[-2], key.shape[-2]
    if q_len == 0 or value.numel() == 0:
        # torch answers these without computing, reading neither the mask nor the batch dims
        # of key and value: zeros of the query's batch shape (rules observed on torch 2.13)
        return joined_zeros((query, key, value), tuple(query.shape[:-1]) + (value.shape[-1],))
    if scale is None:  # (no features: every score is an empty sum, 0, whatever the scale)
        scale = 1.0 / math.sqrt(query.shape[-1]) if query.shape[-1] else 1.0
    if enable_gqa and query.dim() >= 3 and key.shape[-3] != query.shape[-3]:
        reps = query.shape[-3] // key.shape[-3]
        key = key.repeat_interleave(reps, dim=-3)
        value = value.repeat_interleave(reps, dim=-3)
    dt = query._data.dtype
    scores = matmul(query, key.transpose(-2, -1)) * scale
    bias, tensor_mask = _mask_bias(attn_mask, is_causal, q_len, k_len, dt)
    if bias is not None:
        scores = scores + _make(bias)
    if tensor_mask is not None:
        scores = scores + tensor_mask
    dead = None
    if bias is not None or tensor_mask is not None:
        dead = np.isneginf(scores._data).all(-1, keepdims=True)
        if dead.any():
            scores = where(_make(dead), 0.0, scores)
        else:
            dead = None
    attn = softmax(scores, -1)
    if dead is not None:
        attn = attn * _make((~dead).astype(dt))
    if dropout_p > 0.0:
        attn = dropout(attn, dropout_p, True)
    return matmul(attn, value)


# --- multi-head attention -------------------------------------------------------------------------

def _canonical_mask(mask, mask_name, other_type, other_name, target_type, check_other=True):
    """A bool mask (``True`` = masked out) becomes an additive float mask; float stays."""
    if mask is None:
        return None
    kind = mask._data.dtype.kind
    if kind != "b" and kind != "f":
        raise AssertionError("only bool and floating types of %s are supported" % mask_name)
    if check_other and other_type is not None and mask.dtype != other_type:
        warnings.warn("Support for mismatched %s and %s is deprecated. Use same type for both "
                      "instead." % (mask_name, other_name), stacklevel=3)
    if kind == "b":
        dt = target_type.np if hasattr(target_type, "np") else np.dtype(target_type)
        return _make(np.where(mask._data, dt.type(-np.inf), dt.type(0)))
    return mask


def _none_or_dtype(x):
    if x is None:
        return None
    if isinstance(x, Tensor):
        return x.dtype
    raise RuntimeError("input to _none_or_dtype() must be None or torch.Tensor")


def _mha_shape_check(query, key, value, key_padding_mask, attn_mask, num_heads):
    """Whether the call is batched (3-D query); raises AssertionError on bad ranks, as torch."""
    if query.dim() == 3:
        if key.dim() != 3 or value.dim() != 3:
            raise AssertionError("For batched (3-D) `query`, expected `key` and `value` to be "
                                 "3-D but found %d-D and %d-D tensors respectively"
                                 % (key.dim(), value.dim()))
        if key_padding_mask is not None and key_padding_mask.dim() != 2:
            raise AssertionError("For batched (3-D) `query`, expected `key_padding_mask` to be "
                                 "`None` or 2-D but found %d-D tensor instead"
                                 % key_padding_mask.dim())
        if attn_mask is not None and attn_mask.dim() not in (2, 3):
            raise AssertionError("For batched (3-D) `query`, expected `attn_mask` to be `None`, "
                                 "2-D or 3-D but found %d-D tensor instead" % attn_mask.dim())
        return True
    if query.dim() == 2:
        if key.dim() != 2 or value.dim() != 2:
            raise AssertionError("For unbatched (2-D) `query`, expected `key` and `value` to be "
                                 "2-D but found %d-D and %d-D tensors respectively"
                                 % (key.dim(), value.dim()))
        if key_padding_mask is not None and key_padding_mask.dim() != 1:
            raise AssertionError("For unbatched (2-D) `query`, expected `key_padding_mask` to "
                                 "be `None` or 1-D but found %d-D tensor instead"
                                 % key_padding_mask.dim())
        if attn_mask is not None:
            if attn_mask.dim() not in (2, 3):
                raise AssertionError("For unbatched (2-D) `query`, expected `attn_mask` to be "
                                     "`None`, 2-D or 3-D but found %d-D tensor instead"
                                     % attn_mask.dim())
            if attn_mask.dim() == 3:
                expected = (num_heads, query.shape[0], key.shape[0])
                if tuple(attn_mask.shape) != expected:
                    raise AssertionError("Expected `attn_mask` shape to be %s but got %s"
                                         % (expected, tuple(attn_mask.shape)))
        return False
    raise AssertionError("query should be unbatched 2D or batched 3D tensor but received %d-D "
                         "query tensor" % query.dim())


def _in_projection(query, key, value, weights, biases):
    """q, k, v projections; one GEMM when query, key and value are the same tensor."""
    if weights[1] is None:  # packed (3E, E) weight
        w, b = weights[0], biases
        embed = query.shape[-1]
        if query is key and key is value:
            proj = linear(query, w, b)
            return proj[..., :embed], proj[..., embed:2 * embed], proj[..., 2 * embed:]
        bq = bk = bv = None
        if b is not None:
            bq, bk, bv = b[:embed], b[embed:2 * embed], b[2 * embed:]
        if key is value:
            kv = linear(key, w[embed:], None if b is None else b[embed:])
            return linear(query, w[:embed], bq), kv[..., :embed], kv[..., embed:]
        return (linear(query, w[:embed], bq), linear(key, w[embed:2 * embed], bk),
                linear(value, w[2 * embed:], bv))
    w_q, w_k, w_v = weights
    bq = bk = bv = None
    if biases is not None:
        bq, bk, bv = biases.chunk(3)  # (fewer than 3 pieces fail to unpack, as in torch)
    eq, ek, ev = query.shape[-1], key.shape[-1], value.shape[-1]
    for what, t, shape in (("query weights", w_q, (eq, eq)), ("key weights", w_k, (eq, ek)),
                           ("value weights", w_v, (eq, ev)), ("query bias", bq, (eq,)),
                           ("key bias", bk, (eq,)), ("value bias", bv, (eq,))):
        if t is not None and tuple(t.shape) != shape:
            raise AssertionError("expecting %s shape of %s, but got %s" % (what, shape, t.shape))
    return linear(query, w_q, bq), linear(key, w_k, bk), linear(value, w_v, bv)


def multi_head_attention_forward(query, key, value, embed_dim_to_check, num_heads,
                                 in_proj_weight, in_proj_bias, bias_k, bias_v, add_zero_attn,
                                 dropout_p, out_proj_weight, out_proj_bias, training=True,
                                 key_padding_mask=None, need_weights=True, attn_mask=None,
                                 use_separate_proj_weight=False, q_proj_weight=None,
                                 k_proj_weight=None, v_proj_weight=None, static_k=None,
                                 static_v=None, average_attn_weights=True, is_causal=False):
    """The computation of :class:`~ember.nn.MultiheadAttention` (sequence-first layout).

    Shape:
        - query ``(L, N, E)``, key ``(S, N, Ek)``, value ``(S, N, Ev)`` (or unbatched 2-D).
        - key_padding_mask ``(N, S)``: ``True`` / ``-inf`` = ignore that key.
        - attn_mask ``(L, S)`` or ``(N * num_heads, L, S)``: ``True`` / ``-inf`` = masked.
        - output ``(L, N, E)``; weights ``(N, L, S)`` averaged over heads, else
          ``(N, num_heads, L, S)`` (``None`` unless ``need_weights``).
    """
    is_batched = _mha_shape_check(query, key, value, key_padding_mask, attn_mask, num_heads)
    if not is_batched:
        query, key, value = query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)
        if key_padding_mask is not None:
            key_padding_mask = key_padding_mask.unsqueeze(0)
    tgt_len, bsz, embed_dim = query.shape
    src_len = key.shape[0]
    key_padding_mask = _canonical_mask(key_padding_mask, "key_padding_mask",
                                       _none_or_dtype(attn_mask), "attn_mask", query.dtype)
    if is_causal and attn_mask is None:
        raise RuntimeError("Need attn_mask if specifying the is_causal hint. You may use the "
                           "Transformer module method `generate_square_subsequent_mask` to "
                           "create this mask.")
    if is_causal and key_padding_mask is None and not need_weights:
        attn_mask = None
    else:
        attn_mask = _canonical_mask(attn_mask, "attn_mask", None, "", query.dtype, False)
        if key_padding_mask is not None:
            is_causal = False
    if embed_dim != embed_dim_to_check:
        raise AssertionError("was expecting embedding dimension of %d, but got %d"
                             % (embed_dim_to_check, embed_dim))
    head_dim = embed_dim // num_heads
    if head_dim * num_heads != embed_dim:
        raise AssertionError("embed_dim %d not divisible by num_heads %d" % (embed_dim, num_heads))
    if use_separate_proj_weight:
        if key.shape[:2] != value.shape[:2]:
            raise AssertionError("key's sequence and batch dims %s do not match value's %s"
                                 % (tuple(key.shape[:2]), tuple(value.shape[:2])))
        q, k, v = _in_projection(query, key, value, (q_proj_weight, k_proj_weight, v_proj_weight),
                                 in_proj_bias)
    else:
        if key.shape != value.shape:
            raise AssertionError("key shape %s does not match value shape %s"
                                 % (tuple(key.shape), tuple(value.shape)))
        q, k, v = _in_projection(query, key, value, (in_proj_weight, None, None), in_proj_bias)
    if attn_mask is not None:
        if attn_mask.dim() == 2:
            if tuple(attn_mask.shape) != (tgt_len, src_len):
                raise RuntimeError("The shape of the 2D attn_mask is %s, but should be %s."
                                   % (attn_mask.shape, (tgt_len, src_len)))
            attn_mask = attn_mask.unsqueeze(0)
        elif attn_mask.dim() == 3:
            if tuple(attn_mask.shape) != (bsz * num_heads, tgt_len, src_len):
                raise RuntimeError("The shape of the 3D attn_mask is %s, but should be %s."
                                   % (attn_mask.shape, (bsz * num_heads, tgt_len, src_len)))
        else:
            raise RuntimeError("attn_mask's dimension %d is not supported" % attn_mask.dim())
    if bias_k is not None and bias_v is not None:
        k = cat([k, bias_k.repeat(1, bsz, 1)])
        v = cat([v, bias_v.repeat(1, bsz, 1)])
        if attn_mask is not None:
            attn_mask = pad(attn_mask, (0, 1))
        if key_padding_mask is not None:
            key_padding_mask = pad(key_padding_mask, (0, 1))
    q = q.reshape(tgt_len, bsz * num_heads, head_dim).transpose(0, 1)
    k = (k.reshape(k.shape[0], bsz * num_heads, head_dim).transpose(0, 1) if static_k is None
         else static_k)
    v = (v.reshape(v.shape[0], bsz * num_heads, head_dim).transpose(0, 1) if static_v is None
         else static_v)
    if add_zero_attn:
        zeros = _make(array_module(q._data).zeros((bsz * num_heads, 1, head_dim),
                                                  dtype=q._data.dtype))
        k = cat([k, zeros], 1)
        v = cat([v, zeros], 1)
        if attn_mask is not None:
            attn_mask = pad(attn_mask, (0, 1))
        if key_padding_mask is not None:
            key_padding_mask = pad(key_padding_mask, (0, 1))
    src_len = k.shape[1]
    if key_padding_mask is not None:
        kpm = key_padding_mask.reshape(bsz, 1, 1, src_len).expand(-1, num_heads, -1, -1)
        kpm = kpm.reshape(bsz * num_heads, 1, src_len)
        attn_mask = kpm if attn_mask is None else attn_mask + kpm
    if not training:
        dropout_p = 0.0
    out_features = out_proj_weight.shape[0]  # (sizes spelled out: tgt_len may be 0)
    if need_weights:
        scores = matmul(q * math.sqrt(1.0 / head_dim), k.transpose(-2, -1))
        if attn_mask is not None:
            scores = scores + attn_mask
        weights = softmax(scores, -1)
        if dropout_p > 0.0:
            weights = dropout(weights, dropout_p, True)
        out = matmul(weights, v).transpose(0, 1).reshape(tgt_len * bsz, embed_dim)
        out = linear(out, out_proj_weight, out_proj_bias).reshape(tgt_len, bsz, out_features)
        weights = weights.reshape(bsz, num_heads, tgt_len, src_len)
        if average_attn_weights:
            weights = weights.mean(1)
        if not is_batched:
            out, weights = out.squeeze(1), weights.squeeze(0)
        return out, weights
    if attn_mask is not None:
        if attn_mask.shape[0] == 1 and attn_mask.dim() == 3:
            attn_mask = attn_mask.unsqueeze(0)
        else:
            attn_mask = attn_mask.reshape(bsz, num_heads, attn_mask.shape[-2], src_len)
    q = q.reshape(bsz, num_heads, tgt_len, head_dim)
    k = k.reshape(bsz, num_heads, src_len, head_dim)
    v = v.reshape(bsz, num_heads, src_len, head_dim)
    out = scaled_dot_product_attention(q, k, v, attn_mask, dropout_p, is_causal)
    out = out.permute(2, 0, 1, 3).reshape(bsz * tgt_len, embed_dim)
    out = linear(out, out_proj_weight, out_proj_bias).reshape(tgt_len, bsz, out_features)
    if not is_batched:
        out = out.squeeze(1)
    return out, None


# --- records --------------------------------------------------------------------------------------

def _sdpa_samples(dtype):
    yield SampleInput(T(2, 3, 4), T(2, 5, 4), T(2, 5, 3))
    yield SampleInput(T(1, 2, 3, 4), T(1, 2, 3, 4), T(1, 2, 3, 4), is_causal=True)
    yield SampleInput(T(2, 3, 4), T(2, 5, 4), T(2, 5, 2), scale=0.3)
    yield SampleInput(T(2, 3, 4), T(2, 5, 4), T(2, 5, 2),
                      attn_mask=T(3, 5, values=np.tril(np.ones((3, 5)), 1).astype(bool),
                                  dtype="bool", grad=False), name="bool mask")
    yield SampleInput(T(2, 3, 4), T(2, 5, 4), T(2, 5, 2), attn_mask=T(2, 3, 5),
                      name="float mask with grad")
    mask = np.ones((3, 4), dtype=bool)
    mask[1] = False
    yield SampleInput(T(3, 4), T(4, 4), T(4, 2), attn_mask=T(3, 4, values=mask, dtype="bool",
                                                           grad=False), name="masked-out row")
    yield SampleInput(T(2, 5, 2), T(2, 3, 2), T(2, 3, 3), is_causal=True, name="causal, L > S")
    yield SampleInput(T(1, 4, 2, 2), T(1, 2, 3, 2), T(1, 2, 3, 2), enable_gqa=True)
    # torch reads no mask when the output is empty or there is no key (the output is zeros)
    yield SampleInput(T(0, 4), T(0, 4), T(0, 2), attn_mask=T(3, 4), name="empty, mask unread")
    yield SampleInput(T(3, 4), T(0, 4), T(0, 2), attn_mask=T(5, 5), name="no key: zeros")
    yield SampleInput(T(3, 4), T(0, 4), T(0, 2), is_causal=True, name="no key, causal")
    yield SampleInput(T(3, 0), T(5, 0), T(5, 2), name="no features: uniform weights")


def _sdpa_errors():
    yield ErrorInput(SampleInput(T(2, 3, 4), T(2, 5, 3), T(2, 5, 4)), RuntimeError, "")
    yield ErrorInput(SampleInput(T(3, 2), T(4, 2), T(4, 2), is_causal=True,
                                 attn_mask=T(3, 4, dtype="bool", grad=False)),
                     RuntimeError, "attn_mask should not be set when is_causal")


register(OpInfo("nn.functional.scaled_dot_product_attention", scaled_dot_product_attention,
                _sdpa_samples, _sdpa_errors, atol=1e-5, rtol=1e-5))


def _mha_samples(dtype):
    def common(extra_bias_kv=False):
        return (4, 2, T(12, 4), T(12), T(1, 1, 4) if extra_bias_kv else None,
                T(1, 1, 4) if extra_bias_kv else None)

    yield SampleInput(T(3, 2, 4), T(5, 2, 4), T(5, 2, 4), *common(), False, 0.0, T(4, 4), T(4))
    kpm = np.zeros((2, 5), dtype=bool)
    kpm[1, 3:] = True
    mask = np.zeros((3, 5), dtype=bool)
    mask[0, 1] = True
    yield SampleInput(T(3, 2, 4), T(5, 2, 4), T(5, 2, 4), *common(True), True, 0.0, T(4, 4),
                      T(4), key_padding_mask=T(2, 5, values=kpm, dtype="bool", grad=False),
                      attn_mask=T(3, 5, values=mask, dtype="bool", grad=False),
                      average_attn_weights=False, name="bias_kv, zero_attn, masks")
    yield SampleInput(T(3, 4), T(5, 3), T(5, 2), 4, 2, None, T(12), None, None, False, 0.0,
                      T(4, 4), T(4), use_separate_proj_weight=True, q_proj_weight=T(4, 4),
                      k_proj_weight=T(4, 3), v_proj_weight=T(4, 2), attn_mask=T(2, 3, 5),
                      name="unbatched, separate weights, float 3-D mask")
    yield SampleInput(T(0, 2, 4), T(0, 2, 4), T(0, 2, 4), *common(), False, 0.0, T(4, 4), T(4),
                      name="empty sequences")


def _mha_errors():
    yield ErrorInput(SampleInput(T(3, 2, 4), T(5, 2, 4), T(5, 2, 4), 4, 2, T(12, 4), T(12),
                                 None, None, False, 0.0, T(4, 4), T(4), attn_mask=T(2, 5)),
                     RuntimeError, "The shape of the 2D attn_mask")
    for weights, match in (((T(0, 4), T(4, 3), T(4, 2)), r"query weights shape of \(4, 4\)"),
                           ((T(4, 4), T(4, 2), T(4, 2)), r"key weights shape of \(4, 3\)")):
        yield ErrorInput(SampleInput(T(3, 4), T(5, 3), T(5, 2), 4, 2, None, T(12), None, None,
                                     False, 0.0, T(4, 4), T(4), use_separate_proj_weight=True,
                                     q_proj_weight=weights[0], k_proj_weight=weights[1],
                                     v_proj_weight=weights[2]), AssertionError, match)


register(OpInfo("nn.functional.multi_head_attention_forward", multi_head_attention_forward,
                _mha_samples, _mha_errors, atol=1e-5, rtol=1e-5))
