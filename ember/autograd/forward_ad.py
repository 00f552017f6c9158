"""``torch.autograd.forward_ad``: dual tensors, computed on top of reverse mode.

``make_dual`` returns a fresh leaf that remembers its tangent; the computation records the usual
reverse-mode graph, and ``unpack_dual`` gets the output's tangent ``J t`` by the double-vjp (the
vjp ``u -> u^T J`` is linear in ``u``; its own vjp along ``t`` is ``J t``). So every op with a
differentiable backward has forward-mode AD, with no forward rules.
"""
from collections import namedtuple

from ember._tensor import Tensor
from ember.autograd.engine import grad as _grad
from ember.autograd.grad_mode import enable_grad

__all__ = ["UnpackedDualTensor", "dual_level", "enter_dual_level", "exit_dual_level",
           "make_dual", "unpack_dual"]

UnpackedDualTensor = namedtuple("UnpackedDualTensor", ["primal", "tangent"])

_levels = []  # one list of (dual tensor, tangent) per entered level


def enter_dual_level():
    """Enter a new forward-AD level (only one is supported, as in torch); returns its index."""
    if _levels:
        raise RuntimeError("Nested forward mode AD is not supported at the moment")
    _levels.append([])
    return len(_levels) - 1


def exit_dual_level(*, level=None):
    """Leave the current level; its dual tensors lose their tangents."""
    if not _levels:
        raise RuntimeError("Trying to exit a forward AD level that was not the last one that was "
                           "created. This is not supported.")
    _levels.pop()


class dual_level:
    """Context manager for a forward-AD level.

    Example::

        >>> import ember
        >>> import ember.autograd.forward_ad as fwAD
        >>> with fwAD.dual_level():
        ...     x = fwAD.make_dual(ember.tensor([1.0, 2.0]), ember.tensor([1.0, 0.0]))
        ...     fwAD.unpack_dual(x * x).tangent
        tensor([2., 0.])
    """

    def __enter__(self):
        return enter_dual_level()

    def __exit__(self, *exc):
        exit_dual_level()


def make_dual(tensor, tangent, *, level=None):
    """A tensor equal to ``tensor`` whose forward gradient is ``tangent``."""
    if not _levels:
        raise RuntimeError("Trying to create a dual Tensor for forward AD but no level exists, "
                           "make sure to enter_dual_level() first.")
    if tangent.shape != tensor.shape:
        raise RuntimeError(
            "Trying to set a forward gradient that has a different size than that of the original "
            "Tensor, this is not supported. Tensor is of size %s while the given forward gradient "
            "is of size %s." % (list(tensor.shape), list(tangent.shape)))
    with enable_grad():
        dual = tensor.view_as(tensor) if tensor.requires_grad else \
            tensor.detach().requires_grad_(True)
    _levels[-1].append((dual, tangent))
    return dual


def unpack_dual(tensor, *, level=None):
    """``(primal, tangent)`` of ``tensor``; the tangent is None when it has none."""
    from ember.ops.creation import zeros_like

    duals = _levels[-1] if _levels else []
    if not isinstance(tensor, Tensor) or not tensor.requires_grad or not duals:
        return UnpackedDualTensor(tensor, None)
    with enable_grad():
        u = zeros_like(tensor).requires_grad_(True)
        vj = _grad((tensor,), [d for d, _ in duals], (u,), retain_graph=True, create_graph=True,
                   allow_unused=True)
        pairs = [(g, t) for g, (_, t) in zip(vj, duals) if g is not None and g.requires_grad]
        if not pairs:
            return UnpackedDualTensor(tensor.detach(), None)
        (tangent,) = _grad([g for g, _ in pairs], (u,), [t for _, t in pairs],
                           retain_graph=True, allow_unused=True)
    return UnpackedDualTensor(tensor.detach(), tangent)
