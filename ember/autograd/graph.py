"""``torch.autograd.graph``: the recorded graph's nodes and the hooks that act on it.

* ``saved_tensors_hooks(pack_hook, unpack_hook)``: every tensor an op saves for backward inside
  the context is stored as ``pack_hook(tensor)`` and given back to the backward as
  ``unpack_hook(packed)`` (offload, compress, recompute...); ``save_on_cpu`` is the one that
  copies to the CPU; ``disable_saved_tensors_hooks`` forbids them in a region.
* ``register_multi_grad_hook(tensors, fn)``: ``fn`` once per backward, with the gradients of all
  ``tensors`` that backward computes (``mode="all"``) or the first one (``mode="any"``).
* ``Node`` (what ``grad_fn`` objects are), ``GradientEdge``/``get_gradient_edge`` (an input of
  ``autograd.grad``), ``increment_version``.
* ``allow_mutation_on_saved_tensors``: tensors saved inside may then be modified in place; the
  backward uses the values they had when saved.

Example::

    >>> import ember
    >>> packed = []
    >>> x = ember.ones(3, requires_grad=True)
    >>> with saved_tensors_hooks(lambda t: packed.append(t) or len(packed) - 1,
    ...                          lambda i: packed[i]):
    ...     y = (x * x).sum()
    >>> len(packed)
    2
    >>> y.backward()
    >>> x.grad
    tensor([2., 2., 2.])
"""
import abc
import contextlib
import functools
from collections import namedtuple

from ember._tensor import Tensor
from ember.autograd import engine, function

__all__ = ["saved_tensors_hooks", "save_on_cpu", "disable_saved_tensors_hooks",
           "register_multi_grad_hook", "allow_mutation_on_saved_tensors", "Node",
           "GradientEdge", "get_gradient_edge", "increment_version",
           "region_activation_memory_budget"]


class Node(abc.ABC):
    """What ``tensor.grad_fn`` is: ``isinstance(y.grad_fn, Node)`` holds for every recorded op,
    custom Function and leaf accumulator. Offers ``name()``, ``next_functions``,
    ``metadata``, ``register_hook`` and ``register_prehook``."""

    @abc.abstractmethod
    def name(self):
        """The node's name, as torch's (``MulBackward0``...)."""

    @classmethod
    def __subclasshook__(cls, subclass):
        if cls is Node and issubclass(subclass, (function.Node, function.AccumulateGrad)):
            return True
        return NotImplemented


GradientEdge = namedtuple("GradientEdge", ["node", "output_nr", "ownership_token"],
                          defaults=(None,))
GradientEdge.__doc__ = """Where the gradient of a tensor enters the graph: output ``output_nr``
of ``node``. ``autograd.grad(loss, get_gradient_edge(x))`` equals ``autograd.grad(loss, x)``."""


def get_gradient_edge(tensor):
    """The ``GradientEdge`` of ``tensor``: its ``grad_fn`` (a leaf's ``AccumulateGrad``) and
    output number."""
    if not tensor.requires_grad:
        raise RuntimeError("It is not possible to get the gradient edge for a Tensor that does "
                           "not require gradients")
    node = tensor.grad_fn
    if node is None:
        node = function.AccumulateGrad(tensor)
    return GradientEdge(node, tensor.output_nr)


def increment_version(tensor):
    """Tell autograd that ``tensor`` (or each tensor of an iterable) was modified in place in a
    way it could not see, so that backwards needing its old value raise."""
    for t in (tensor,) if isinstance(tensor, Tensor) else tensor:
        t._bump_version()


_disabled_message = None


class saved_tensors_hooks:
    """Context manager: the tensors ops save for backward inside it are packed with
    ``pack_hook(tensor) -> anything`` and unpacked, when the backward needs them, with
    ``unpack_hook(packed) -> Tensor``. Nested contexts: the innermost hooks apply.

    Args:
        pack_hook: called once per saved tensor, at the time it is saved.
        unpack_hook: called each time the backward reads the saved tensor; must return a tensor
            equal to the one packed for the gradients to be the true ones.
    """

    def __init__(self, pack_hook, unpack_hook):
        self.pack_hook = pack_hook
        self.unpack_hook = unpack_hook

    def __enter__(self):
        if _disabled_message is not None:
            raise RuntimeError(_disabled_message)
        function._saved_tensors_hooks.append((self.pack_hook, self.unpack_hook))

    def __exit__(self, *args):
        function._saved_tensors_hooks.pop()


class save_on_cpu(saved_tensors_hooks):
    """Saved tensors are kept as CPU copies and moved back to their device for the backward.
    ember computes on the CPU, so this stores a copy of each saved tensor (as torch does for a
    CPU tensor); ``pin_memory`` and ``device_type`` are accepted for compatibility."""

    def __init__(self, pin_memory=False, device_type="cuda"):
        def pack_to_cpu(tensor):
            return tensor.device, tensor.detach().clone()

        def unpack_from_cpu(packed):
            device, tensor = packed
            return tensor.to(device)

        super().__init__(pack_to_cpu, unpack_from_cpu)


@contextlib.contextmanager
def disable_saved_tensors_hooks(error_message):
    """Context manager in which using (or being inside) ``saved_tensors_hooks`` raises
    ``RuntimeError(error_message)``."""
    global _disabled_message
    if function._saved_tensors_hooks:
        raise RuntimeError(error_message)
    previous, _disabled_message = _disabled_message, error_message
    try:
        yield
    finally:
        _disabled_message = previous


class _MultiHandle:
    """Removes every per-tensor hook of one ``register_multi_grad_hook`` (also on leaving a
    ``with`` block, as a ``RemovableHandle``)."""

    def __init__(self, handles):
        self.handles = handles

    def remove(self):
        for handle in self.handles:
            handle.remove()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()

    def __getstate__(self):
        return self.handles

    def __setstate__(self, state):
        self.handles = state


def _current_task():
    task = engine.current_task()
    if task is None:
        raise AssertionError("expected this hook to be called inside a backward call")
    return task


def register_multi_grad_hook(tensors, fn, *, mode="all"):
    """Call ``fn`` once per backward pass that reaches ``tensors``.

    ``mode="all"``: ``fn(grads)`` after the gradients of all the tensors this backward computes
    are known, ``grads[i]`` None for a tensor it does not reach. ``mode="any"``: ``fn(grad)``
    with the first gradient computed. Returns a handle whose ``remove()`` drops the hook.
    """
    if mode not in ("all", "any"):
        raise ValueError("Expects mode to be one of ('all', 'any') but got %s" % (mode,))
    tensors = list(tensors)
    if mode == "any":
        fired = set()

        @functools.wraps(fn)
        def first_only(grad):
            task = _current_task()
            if task.id not in fired:
                fired.add(task.id)
                fn(grad)

        return _MultiHandle(tuple(t.register_hook(first_only) for t in tensors
                                  if t.requires_grad))
    pending = {}  # task id -> [gradients so far, how many more to come]

    def collect(index):
        def hook(grad):
            task = _current_task()
            entry = pending.get(task.id)
            if entry is None:
                entry = pending[task.id] = [[None] * len(tensors),
                                            sum(map(task.reaches, tensors))]
            entry[0][index] = grad
            entry[1] -= 1
            if entry[1] == 0:
                del pending[task.id]
                fn(entry[0])
        return hook

    return _MultiHandle(tuple(t.register_hook(collect(i)) for i, t in enumerate(tensors)))


_mutation_allowed = False


@contextlib.contextmanager
def allow_mutation_on_saved_tensors():
    """Context manager: tensors saved for backward inside it may be modified in place
    afterwards; the backward uses the values they had when saved (each is kept as a copy, the
    price torch pays too when a saved tensor is mutated). Contexts cannot be nested."""
    global _mutation_allowed
    if _mutation_allowed:
        raise RuntimeError("allow_mutation_on_saved_tensors contexts cannot be nested")
    _mutation_allowed = True
    try:
        with saved_tensors_hooks(lambda t: t.detach().clone(), lambda t: t):
            yield
    finally:
        _mutation_allowed = False


@contextlib.contextmanager
def region_activation_memory_budget(budget):
    """A hint for ``torch.compile``'s partitioner (how many activations a compiled region may
    save). ``ember.compile`` runs the region eagerly and saves what each op needs, so the hint has
    nothing to act on (torch, which refuses it outside a compiled region, cannot tell the two
    apart here); the budget is still checked as torch checks it."""
    where = "torch.autograd.graph.region_activation_memory_budget"
    if isinstance(budget, bool) or not isinstance(budget, (int, float)):
        raise TypeError("%s: expects a float, got %s" % (where, type(budget).__name__))
    if not 0.0 <= budget <= 1.0:
        raise ValueError("%s: must be in [0, 1], got %s" % (where, budget))
    yield
