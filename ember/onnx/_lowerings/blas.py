"""Matrix products: matmul, addmm/baddbmm, dot, einsum."""
from ember.ops import blas as B
from ember.onnx._lowerings.arithmetic import operands, scalar
from ember.onnx._trace import lowers


@lowers(B.Matmul, B.Dot)
def _matmul(call):
    return call.g.op("MatMul", *operands(call))


@lowers(B.AddMatmul)
def _addmm(call):
    g = call.g
    c, m1, m2 = operands(call)
    beta, alpha = call.params
    out = g.op("MatMul", m1, m2)
    if alpha != 1:
        out = g.op("Mul", out, scalar(call, alpha))
    if beta == 0:
        return out
    if beta != 1:
        c = g.op("Mul", c, scalar(call, beta))
    return g.op("Add", out, c)


@lowers(B.Einsum)
def _einsum(call):
    subs, out_sub = call.params
    return call.g.op("Einsum", *operands(call), equation=",".join(subs) + "->" + out_sub)
