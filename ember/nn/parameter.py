"""``Parameter`` (a Tensor that a Module registers as learnable) and ``Buffer``."""
import ember
from ember._tensor import Tensor


class Parameter(Tensor):
    """A Tensor that is a module parameter: assigning it to a Module attribute registers it.

    Args:
        data (Tensor): the values; shared, not copied. Defaults to an empty tensor.
        requires_grad (bool): whether the parameter requires gradient. Default: ``True``.

    Example::

        >>> import ember
        >>> p = ember.nn.Parameter(ember.zeros(2))
        >>> p
        Parameter containing:
        tensor([0., 0.], requires_grad=True)
    """

    def __new__(cls, data=None, requires_grad=True):
        if data is None:
            data = ember.empty(0)
        t = object.__new__(cls)
        t._data = data._data
        t._requires_grad = False
        t._grad_fn = None
        t._grad = None
        t._vc = data._share_vc()
        t._base = None
        t._output_nr = 0
        t._hooks = None
        if requires_grad:
            t.requires_grad_(True)
        return t

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()

    def __reduce_ex__(self, proto):
        return (_rebuild_parameter, (self._data, self._requires_grad))

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        from ember._tensor import _make

        result = type(self)(_make(self._data.copy()), self._requires_grad)
        if self._grad is not None:
            result._grad = _make(self._grad._data.copy())
        memo[id(self)] = result
        return result


def _rebuild_parameter(data, requires_grad):
    from ember._tensor import _make

    return Parameter(_make(data), requires_grad)


class _BufferMeta(type):
    def __instancecheck__(cls, instance):
        if cls is Buffer:
            return isinstance(instance, Tensor) and getattr(instance, "_is_buffer", False)
        return super().__instancecheck__(instance)


class Buffer(Tensor, metaclass=_BufferMeta):
    """Marks a tensor as a module buffer: ``module.x = nn.Buffer(t)`` registers ``x``.

    Args:
        data (Tensor): the buffer's values.
        persistent (bool): whether the buffer is part of the module's ``state_dict``.
    """

    def __new__(cls, data=None, *, persistent=True):
        if data is None:
            data = ember.empty(0)
        t = data.detach()
        t._is_buffer = True
        t._persistent = persistent
        return t


class _Uninitialized:
    """A placeholder a lazy module fills on its first call (``materialize``)."""

    cls_to_become = None

    def materialize(self, value):
        """Take ``value``'s data (a tensor of the final shape) and become ``cls_to_become``."""
        self._data = value._data
        self.__class__ = self.cls_to_become

    def __repr__(self):
        return "<%s>" % type(self).__name__


class UninitializedParameter(_Uninitialized, Parameter):
    """A parameter whose shape a lazy module has not learnt yet."""

    cls_to_become = Parameter

    def __new__(cls, requires_grad=True, device=None, dtype=None):
        return Parameter.__new__(cls, None, requires_grad)


class UninitializedBuffer(_Uninitialized, Tensor):
    """A buffer whose shape a lazy module has not learnt yet."""

    cls_to_become = Tensor

    def __new__(cls, requires_grad=False, device=None, dtype=None, persistent=True):
        t = ember.empty(0)
        t.__class__ = cls
        return t
