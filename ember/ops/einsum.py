"""``einsum``: sums of products over the subscripts of an equation, on ``np.einsum``."""
import builtins
import string

from ember._backend import array_module, np
from ember._tensor import _make
from ember.autograd.function import Node
from ember.ops._util import conj
from ember.ops.blas import _check_same_dtype
from ember.ops.registry import ErrorInput, OpInfo, SampleInput, T, register

_LETTERS = string.ascii_uppercase + string.ascii_lowercase


class Einsum(Node):
    """``np.einsum`` over explicit subscripts (no ellipsis; sizes already broadcast)."""

    def forward(ctx, *arrays_and_spec):
        *arrays, subs, out_sub = arrays_and_spec
        ctx.subs, ctx.out_sub = subs, out_sub
        ctx.shapes = [a.shape for a in arrays]
        ctx.save = tuple(range(len(arrays)))
        eq = ",".join(subs) + "->" + out_sub
        return array_module(*arrays).asarray(np.einsum(eq, *arrays, optimize=True))

    def backward(ctx, g):
        # Each operand's gradient is the einsum of g with the other operands, written to that
        # operand's subscripts. Letters only that operand has are broadcast back with a ones
        # vector; a repeated letter (a diagonal) is spread back with an identity matrix.
        operands = ctx.saved_tensors
        grads = []
        for i, sub in enumerate(ctx.subs):
            if not ctx.needs_input_grad[i]:
                grads.append(None)
                continue
            sizes = dict(zip(sub, ctx.shapes[i]))
            others = [s for j, s in enumerate(ctx.subs) if j != i]
            seen = set(ctx.out_sub).union(*others) if others else set(ctx.out_sub)
            spare = iter(c for c in _LETTERS if c not in sizes and c not in seen)
            terms = [ctx.out_sub] + others
            tensors = [g] + [conj(operands[j]) for j in range(len(ctx.subs)) if j != i]
            target = []
            for c in sub:
                if c in target:
                    fresh = next(spare)
                    terms.append(c + fresh)
                    tensors.append(_make(array_module(g._data).eye(sizes[c], dtype=g._data.dtype)))
                    target.append(fresh)
                    continue
                if c not in seen:
                    terms.append(c)
                    tensors.append(_make(array_module(g._data).ones(sizes[c], dtype=g._data.dtype)))
                    seen.add(c)
                target.append(c)
            grads.append(_einsum(terms, "".join(target), tensors))
        return tuple(grads)

    @staticmethod
    def onnx(call):
        subs, out_sub = call.params
        return call.g.op("Einsum", *call.operands(), equation=",".join(subs) + "->" + out_sub)


def _einsum(subs, out_sub, tensors):
    return Einsum.apply(tuple(tensors), list(subs), out_sub)


def einsum(equation, *operands):
    """Sum of products over the subscripts of ``equation`` (``'ij,jk->ik'``; ``...`` and the
    implicit output form are supported). Runs on BLAS through ``np.einsum(optimize=True)``."""
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    eq = equation.replace(" ", "")
    lhs, arrow, out_sub = eq.partition("->")
    subs = lhs.split(",")
    if len(subs) > len(operands):
        raise RuntimeError("einsum(): fewer operands were provided than specified in the "
                           "equation")
    if len(subs) < len(operands):
        raise RuntimeError("einsum(): more operands were provided than specified in the "
                           "equation")
    for t in operands[1:]:
        _check_same_dtype(operands[0], t)
    used = set(c for c in eq if c.isalpha())
    spare = [c for c in _LETTERS if c not in used]
    n_ell = 0
    for i, (s, t) in enumerate(zip(subs, operands)):
        n = len(s.replace("...", ""))
        if "..." in s:
            n_ell = builtins.max(n_ell, t._data.ndim - n)
        elif n != t._data.ndim:
            raise RuntimeError("einsum(): the number of subscripts in the equation (%d) does not "
                               "match the number of dimensions (%d) for operand %d and no "
                               "ellipsis was given" % (n, t._data.ndim, i))
    ell = "".join(spare[:n_ell])
    explicit = []
    for s, t in zip(subs, operands):
        if "..." in s:
            k = t._data.ndim - len(s.replace("...", ""))
            s = s.replace("...", ell[n_ell - k:] if k else "")
        explicit.append(s)
    if arrow:
        out_sub = out_sub.replace("...", ell)
    else:
        counts = {}
        for s in explicit:
            for c in s:
                counts[c] = counts.get(c, 0) + 1
        out_sub = ell + "".join(sorted(c for c, n in counts.items()
                                       if n == 1 and c not in ell))
    # Sizes per letter: size-1 dims broadcast (as torch), others must agree.
    sizes = {}
    for i, (s, t) in enumerate(zip(explicit, operands)):
        for c, n in zip(s, t._data.shape):
            if sizes.get(c, 1) == 1:
                sizes[c] = n
            elif n not in (1, sizes[c]):
                raise RuntimeError("einsum(): subscript %s has size %d for operand %d which does "
                                   "not broadcast with previously seen size %d"
                                   % (c, n, i, sizes[c]))
    summed = set("".join(explicit)) - set(out_sub)
    kind = operands[0]._data.dtype.kind
    if len(operands) == 1 and summed and kind in "iub":
        # one operand: torch sums it with ``sum``, which promotes integers to int64
        from ember import _dtype
        from ember.ops._util import cast

        operands = (cast(operands[0], _dtype.int64),)
    elif kind == "b" and any(builtins.sum(c in s for s in explicit) > 1 for c in summed):
        raise NotImplementedError("\"bmm\" not implemented for 'Bool'")  # torch's contraction
    tensors = []
    for s, t in zip(explicit, operands):
        target = tuple(sizes[c] for c in s)
        tensors.append(t if t._data.shape == target else t.expand(target))
    return _einsum(explicit, out_sub, tensors)


def _einsum_samples(dtype):
    yield SampleInput("ij,jk->ik", T(3, 4), T(4, 5), name="matmul")
    yield SampleInput("ij,jk", T(3, 4), T(4, 5), name="implicit")
    yield SampleInput("bij,bjk->bik", T(2, 3, 4), T(2, 4, 5), name="bmm")
    yield SampleInput("i,j->ij", T(3), T(4), name="outer")
    yield SampleInput("ii->i", T(3, 3), name="diagonal")
    yield SampleInput("ii", T(3, 3), name="trace")
    yield SampleInput("ij->", T(3, 4), name="sum")
    yield SampleInput("ij->ji", T(3, 4, noncontig=True), name="transpose")
    yield SampleInput("...ij,...jk->...ik", T(2, 3, 4), T(4, 5), name="ellipsis")
    yield SampleInput("i...j,j...", T(2, 5, 3), T(3, 5), name="ellipsis middle")
    yield SampleInput("bn,anm,bm->ba", T(2, 3), T(4, 3, 5), T(2, 5), name="bilinear")
    yield SampleInput("ij,ij->ij", T(3, 1), T(3, 4), name="size-1 broadcast")
    yield SampleInput("ij,jk->ik", [T(3, 4), T(4, 5)], name="list")
    yield SampleInput("i,i->", T(0), T(0), name="empty")
    yield SampleInput("iij->j", T(2, 2, 3), name="diagonal with free")
    yield SampleInput("ij,k->ik", T(2, 3), T(4), name="letter only in one operand")
    yield SampleInput("ii", T(3, 3, dtype="int8"), name="int8 trace: int64 as torch's sum")
    yield SampleInput("ij->i", T(3, 3, dtype="uint8"), name="uint8 sum: int64")
    yield SampleInput("ii->i", T(3, 3, dtype="int8"), name="int8 diagonal keeps int8")
    yield SampleInput("i,j", T(3, dtype="bool"), T(2, dtype="bool"), name="bool outer")


def _einsum_errors():
    yield ErrorInput(SampleInput("ij,jk->ik", T(3, 4), T(5, 6)), RuntimeError,
                     "einsum\\(\\): subscript j has size 5 for operand 1 which does not "
                     "broadcast with previously seen size 4")
    yield ErrorInput(SampleInput("ij,jk", T(3, 4)), RuntimeError,
                     "fewer operands were provided than specified in the equation")
    yield ErrorInput(SampleInput("ijk,jk", T(3, 4), T(4, 5)), RuntimeError,
                     r"the number of subscripts in the equation \(3\) does not match the number "
                     r"of dimensions \(2\) for operand 0 and no ellipsis was given")
    yield ErrorInput(SampleInput("ij,jk", T(3, 4, dtype="bool"), T(4, 5, dtype="bool")),
                     NotImplementedError, "\"bmm\" not implemented for 'Bool'")


register(OpInfo("einsum", einsum, _einsum_samples, _einsum_errors, atol=1e-4, rtol=1e-5))

