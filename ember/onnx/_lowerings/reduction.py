"""Reductions: sum, mean, amax/amin, var/std, prod, logsumexp, norms, cumsum."""
import numpy as np

from ember.ops import cumulative as CU
from ember.ops import reduction as R
from ember.onnx._lowerings.arithmetic import scalar
from ember.onnx._trace import lowers



def _input(call):
    g, x = call.g, call.inputs[0]
    if call.arrays[0].dtype != call.outs[0].dtype:
        x = g.cast(x, call.outs[0].dtype)
    return x


@lowers(R.Sum, R.Mean)
def _sum_mean(call):
    dims, keepdim = call.params[0], call.params[1]
    op = "ReduceSum" if call.op_class is R.Sum else "ReduceMean"
    if not dims:
        return call.g.op("Identity", _input(call))
    return call.g.reduce(op, _input(call), dims, keepdim)


@lowers(R._Extreme)
def _extreme(call):
    dims, keepdim, largest = call.params
    if not dims:
        return call.g.op("Identity", call.inputs[0])
    return call.g.reduce("ReduceMax" if largest else "ReduceMin", call.inputs[0], dims, keepdim)


@lowers(R.Prod)
def _prod(call):
    dim, keepdim = call.params[0], call.params[1]
    dims = None if dim is None else [dim] if isinstance(dim, int) else list(dim)
    return call.g.reduce("ReduceProd", _input(call), dims, keepdim)


@lowers(R.LogSumExp)
def _logsumexp(call):
    dims, keepdim = call.params
    return call.g.reduce("ReduceLogSumExp", call.inputs[0], dims, keepdim)


@lowers(R.Var, R.Std)
def _var(call):
    g = call.g
    dims, correction, keepdim = call.params
    x = call.inputs[0]
    mean = g.reduce("ReduceMean", x, dims, True)
    centered = g.op("Sub", x, mean)
    sq = g.reduce("ReduceSum", g.op("Mul", centered, centered), dims, keepdim)
    n = int(np.prod([call.arrays[0].shape[d] for d in dims]))
    var = g.op("Div", sq, scalar(call, max(n - correction, 0)))
    return g.op("Sqrt", var) if call.op_class is R.Std else var


@lowers(R.VectorNorm)
def _vector_norm(call):
    g = call.g
    p, dims, keepdim = call.params
    x = call.inputs[0]
    if p == 2:
        return g.reduce("ReduceL2", x, dims, keepdim)
    if p == 1:
        return g.reduce("ReduceL1", x, dims, keepdim)
    if p == float("inf"):
        return g.reduce("ReduceMax", g.op("Abs", x), dims, keepdim)
    if p == float("-inf"):
        return g.reduce("ReduceMin", g.op("Abs", x), dims, keepdim)
    if p == 0:
        nonzero = g.cast(g.op("Not", g.op("Equal", x, scalar(call, 0))), call.outs[0].dtype)
        return g.reduce("ReduceSum", nonzero, dims, keepdim)
    powered = g.op("Pow", g.op("Abs", x), scalar(call, p))
    return g.op("Pow", g.reduce("ReduceSum", powered, dims, keepdim), scalar(call, 1.0 / p))


@lowers(CU.Cumsum)
def _cumsum(call):
    return call.g.op("CumSum", _input(call), call.g.const(np.asarray(call.params[0], np.int64)))
