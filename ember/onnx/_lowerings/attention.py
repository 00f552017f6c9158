"""nn.MultiheadAttention as one block of ONNX nodes.

It lowers as a whole module: ember's functional form reshapes ``(L, N, E)`` to
``(L, N * heads, head_dim)``, a size that mixes the batch with the heads and cannot stay
symbolic. Here the heads get their own axis (``Reshape [0, 0, heads, head_dim]``), so the
sequence and batch axes stay dynamic.
"""
import math

import numpy as np

from ember._tensor import Tensor
from ember.nn.modules.transformer import MultiheadAttention
from ember.onnx._trace import lowers_module

_ARGS = ("query", "key", "value", "key_padding_mask", "need_weights", "attn_mask",
         "average_attn_weights", "is_causal")
_DEFAULTS = dict(key_padding_mask=None, need_weights=True, attn_mask=None,
                 average_attn_weights=True, is_causal=False)


def _additive(call, mask, dt):
    """A bool mask (True = masked) as -inf/0, or a float mask as is."""
    g = call.g
    name = call.value(mask)
    if mask._data.dtype == np.bool_:
        return g.op("Where", name, g.const(np.asarray(-np.inf, dt)), g.const(np.asarray(0, dt)))
    return name if mask._data.dtype == dt else g.cast(name, dt)


@lowers_module(MultiheadAttention)
def _mha(call):
    g, m = call.g, call.module_obj
    a = dict(_DEFAULTS, **dict(zip(_ARGS, call.params)), **call.kwparams)
    if m.bias_k is not None or m.add_zero_attn:
        call.fail("MultiheadAttention with add_bias_kv or add_zero_attn")
    q_t = a["query"]
    dt = q_t._data.dtype
    batched = q_t._data.ndim == 3
    e, heads = m.embed_dim, m.num_heads
    hd = e // heads

    def prepared(t):
        x = call.value(t)
        if not batched:
            return g.unsqueeze(x, [1])
        return g.op("Transpose", x, perm=[1, 0, 2]) if m.batch_first else x

    q, k, v = (prepared(a[n]) for n in ("query", "key", "value"))
    if m._qkv_same_embed_dim:
        w = m.in_proj_weight._data
        ws = [w[:e], w[e:2 * e], w[2 * e:]]
    else:
        ws = [m.q_proj_weight._data, m.k_proj_weight._data, m.v_proj_weight._data]
    bs = [None] * 3 if m.in_proj_bias is None else np.split(m.in_proj_bias._data, 3)
    prefix = (call.module + ".") if call.module else ""

    def project(x, i, tag):
        y = g.op("MatMul", x, g.const(np.ascontiguousarray(ws[i].T), name=prefix + tag + "_w"))
        return y if bs[i] is None else g.op("Add", y, g.const(bs[i], name=prefix + tag + "_b"))

    def heads_first(x, perm):
        return g.op("Transpose", g.op("Reshape", x, g.ints([0, 0, heads, hd])), perm=perm)

    q = g.op("Mul", project(q, 0, "q_proj"), g.const(np.asarray(1 / math.sqrt(hd), dt)))
    q = heads_first(q, [1, 2, 0, 3])                         # (N, H, L, hd)
    k = heads_first(project(k, 1, "k_proj"), [1, 2, 3, 0])   # (N, H, hd, S)
    v = heads_first(project(v, 2, "v_proj"), [1, 2, 0, 3])   # (N, H, S, hd)
    scores = g.op("MatMul", q, k)                            # (N, H, L, S)
    mask = a["attn_mask"]
    if isinstance(mask, Tensor):
        bias = _additive(call, mask, dt)
        if mask._data.ndim == 3:
            bias = g.op("Reshape", bias, g.ints([-1, heads] + list(mask._data.shape[1:])))
        scores = g.op("Add", scores, bias)
    elif a["is_causal"]:
        lq, lk = a["query"]._data.shape[-2 if not batched else (1 if m.batch_first else 0)], \
            a["key"]._data.shape[-2 if not batched else (1 if m.batch_first else 0)]
        causal = np.triu(np.full((lq, lk), -np.inf, dtype=dt), 1)
        scores = g.op("Add", scores, g.const(causal))
    kpm = a["key_padding_mask"]
    if isinstance(kpm, Tensor):
        bias = _additive(call, kpm, dt)
        bias = g.unsqueeze(bias, [1, 2] if batched else [0, 1, 2])
        scores = g.op("Add", scores, bias)
    attn = g.op("Softmax", scores, axis=-1)
    out = g.op("MatMul", attn, v)                            # (N, H, L, hd)
    out = g.op("Reshape", g.op("Transpose", out, perm=[2, 0, 1, 3]), g.ints([0, 0, e]))
    out = g.op("MatMul", out, g.const(np.ascontiguousarray(m.out_proj.weight._data.T),
                                      name=prefix + "out_proj_w"))
    if m.out_proj.bias is not None:
        out = g.op("Add", out, call.value(m.out_proj.bias))
    if not batched:
        out = g.squeeze(out, [1])
    elif m.batch_first:
        out = g.op("Transpose", out, perm=[1, 0, 2])
    results = [out]
    if a["need_weights"]:
        weights = g.reduce("ReduceMean", attn, [1], False) if a["average_attn_weights"] \
            else attn
        results.append(g.squeeze(weights, [0]) if not batched else weights)
    return results
