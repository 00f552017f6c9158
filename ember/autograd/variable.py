"""``torch.autograd.Variable``: the pre-0.4 wrapper, today an alias of Tensor in all but name."""
import warnings

__all__ = ["Variable"]


class _VariableMeta(type):
    def __instancecheck__(cls, obj):
        from ember._tensor import Tensor

        return isinstance(obj, Tensor)

    def __call__(cls, data, requires_grad=False, volatile=False):
        """``Variable(t, requires_grad=...)``: a tensor sharing ``t``'s data, as torch returns."""
        from ember._tensor import Tensor

        if volatile:
            warnings.warn("volatile was removed and now has no effect. Use `with torch.no_grad():` "
                          "instead.", UserWarning, stacklevel=2)
        if not isinstance(data, Tensor):
            raise TypeError("Variable data has to be a tensor, but got %s" % type(data).__name__)
        return data.detach().requires_grad_(requires_grad)


class Variable(metaclass=_VariableMeta):
    """Old code's ``Variable(tensor, requires_grad=True)``: returns a tensor sharing the data;
    ``isinstance(x, Variable)`` holds for every tensor."""
