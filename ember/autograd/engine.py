"""The backward engine: an iterative, dependency-counted walk of the recorded graph.

No recursion (a 100,000-op chain is fine), each node runs once after every gradient flowing
into it has been summed, leaves accumulate into ``.grad``. ``autograd.grad`` uses the same walk
but captures the gradients of the requested inputs instead of accumulating them.
"""
import itertools
import weakref

from ember._backend import np
from ember._tensor import Tensor, _make
from ember import _bfloat16
from ember.autograd.grad_mode import _State


def _as_grad(t, g, i):
    """Validate or create the seed gradient of output ``t``."""
    if g is None:
        if t._data.size != 1:
            raise RuntimeError("grad can be implicitly created only for scalar outputs")
        if not t.dtype.is_floating_point:
            raise RuntimeError("grad can be implicitly created only for real scalar outputs but "
                               "got %s" % t.dtype)
        return _make(np.ones_like(t._data))
    if not isinstance(g, Tensor):
        from ember.ops.creation import tensor

        g = tensor(g, dtype=t.dtype)
    if g._data.shape != t._data.shape:
        if g._data.size == t._data.size == 1:
            return g.reshape(t.shape)
        raise RuntimeError(
            "Mismatch in shape: grad_output[%d] has a shape of %s and output[%d] has a shape of "
            "%s." % (i, _size_str(g.shape), i, _size_str(t.shape)))
    return g


def _size_str(shape):
    return "torch.Size([%s])" % ", ".join(str(s) for s in shape)


def _check_outputs(tensors):
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError("expected a Tensor as output %d, got %s" % (i, type(t).__name__))
        if not t._requires_grad:
            raise RuntimeError("element %d of tensors does not require grad and does not have a "
                               "grad_fn" % i)


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, inputs=None):
    """``torch.autograd.backward``: accumulate gradients of ``tensors`` into leaves' ``.grad``.

    Args:
        tensors: tensor(s) to differentiate.
        grad_tensors: d(loss)/d(tensors); needed for tensors with more than one element.
        retain_graph: keep the saved tensors for another backward. Default: ``create_graph``.
        create_graph: record the backward, for higher-order gradients.
        inputs: accumulate into these tensors only.

    Example:
        >>> import ember
        >>> x = ember.ones(3, requires_grad=True)
        >>> ember.autograd.backward(x * 2, grad_tensors=ember.ones(3))
        >>> x.grad
        tensor([2., 2., 2.])
    """
    if isinstance(tensors, Tensor):
        tensors = (tensors,)
    tensors = tuple(tensors)
    if grad_tensors is None:
        grad_tensors = (None,) * len(tensors)
    elif isinstance(grad_tensors, Tensor):
        grad_tensors = (grad_tensors,)
    _check_outputs(tensors)
    grads = [_as_grad(t, g, i) for i, (t, g) in enumerate(zip(tensors, grad_tensors))]
    if retain_graph is None:
        retain_graph = create_graph
    if inputs is not None:
        if isinstance(inputs, Tensor):
            inputs = (inputs,)
        inputs = tuple(inputs)
        if not inputs:
            raise RuntimeError("'inputs' argument to backward() cannot be empty.")
        for i, inp in enumerate(inputs):
            if not inp._requires_grad:
                raise RuntimeError("One of the differentiated Tensors does not require grad")
        captured = _run(tensors, grads, retain_graph, create_graph, inputs)
        for inp, g in zip(inputs, captured):
            if g is not None:
                _accumulate(inp, g, False, create_graph, hooks=False)
        return
    _run(tensors, grads, retain_graph, create_graph, None)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         only_inputs=True, allow_unused=None, is_grads_batched=False, materialize_grads=False):
    """``torch.autograd.grad``: gradients of ``outputs`` w.r.t. ``inputs``, not accumulated.

    Args:
        outputs: tensor(s) to differentiate.
        inputs: tensor(s) to differentiate with respect to.
        grad_outputs: d(loss)/d(outputs); needed for outputs with more than one element.
        retain_graph: keep the saved tensors for another backward. Default: ``create_graph``.
        create_graph: record the backward, so that the gradients can be differentiated again.
        allow_unused: return None for inputs the outputs do not depend on (else raise).
        materialize_grads: return zeros instead of None for unused inputs.

    Example:
        >>> import ember
        >>> x = ember.tensor(2.0, requires_grad=True)
        >>> (g,) = ember.autograd.grad(x ** 3, x, create_graph=True)
        >>> g.item(), ember.autograd.grad(g, x)[0].item()
        (12.0, 12.0)
    """
    single_input = isinstance(inputs, Tensor) or _is_edge(inputs)
    if isinstance(outputs, Tensor):
        outputs = (outputs,)
    outputs = tuple(outputs)
    inputs = (inputs,) if single_input else tuple(inputs)
    if grad_outputs is None:
        grad_outputs = (None,) * len(outputs)
    elif isinstance(grad_outputs, Tensor):
        grad_outputs = (grad_outputs,)
    if allow_unused is None:
        allow_unused = materialize_grads
    if materialize_grads and allow_unused is False:
        raise ValueError("Expected allow_unused to be True or not passed when "
                         "materialize_grads=True")
    _check_outputs(outputs)
    inputs = tuple(_edge_input(inp) for inp in inputs)
    for i, inp in enumerate(inputs):
        if isinstance(inp, _EdgeInput):
            continue
        if not isinstance(inp, Tensor):
            raise TypeError("grad(): inputs must be Tensors, got %s" % type(inp).__name__)
        if not inp._requires_grad:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
    grads = [_as_grad(t, g, i) for i, (t, g) in enumerate(zip(outputs, grad_outputs))]
    if retain_graph is None:
        retain_graph = create_graph
    result = _run(outputs, grads, retain_graph, create_graph, inputs)
    out = []
    for i, (inp, g) in enumerate(zip(inputs, result)):
        if g is None:
            if not allow_unused:
                raise RuntimeError("The differentiated Tensor at index %d appears to not have "
                                   "been used in the graph. Set allow_unused=True if this is the "
                                   "desired behavior." % i)
            if materialize_grads:
                g = _make(np.zeros_like(inp._data))
        elif not create_graph and g._grad_fn is not None:
            g = g.detach()
        out.append(g)
    return tuple(out)


class _EdgeInput:
    """A ``GradientEdge`` of a non-leaf given to ``grad`` as an input: the gradient flowing
    into output ``_output_nr`` of node ``_grad_fn`` is captured."""

    __slots__ = ("_grad_fn", "_output_nr")
    _requires_grad = True

    def __init__(self, node, output_nr):
        self._grad_fn, self._output_nr = node, output_nr


def _is_edge(inp):
    return not isinstance(inp, Tensor) and hasattr(inp, "node") and hasattr(inp, "output_nr")


def _edge_input(inp):
    """``inp``, or the tensor/capture point a ``GradientEdge`` stands for."""
    if not _is_edge(inp):
        return inp
    variable = getattr(inp.node, "variable", None)
    if isinstance(variable, Tensor):
        return variable
    return _EdgeInput(inp.node, inp.output_nr)


def _collect(roots):
    """Count, for every node reachable from ``roots``, how many edges point at it."""
    deps = {}
    # once per node, though several of its outputs may be roots
    stack = list(dict.fromkeys(fn for fn in roots if not isinstance(fn, Tensor)))
    seen = set(stack)
    while stack:
        fn = stack.pop()
        for e in fn._edges:
            if e is None:
                continue
            nxt = e[0]
            if isinstance(nxt, Tensor):
                continue
            deps[nxt] = deps.get(nxt, 0) + 1
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return deps, seen


def _needed(nodes, targets_leaf, targets_node):
    """Nodes from which a captured input can be reached; the rest need not run."""
    needed = {}
    for start in nodes:
        if start in needed:
            continue
        stack = [(start, iter(start._edges))]
        on_stack = {start}
        while stack:
            fn, it = stack[-1]
            advanced = False
            for e in it:
                if e is None:
                    continue
                nxt = e[0]
                if isinstance(nxt, Tensor):
                    if id(nxt) in targets_leaf:
                        needed[fn] = True
                    continue
                if (nxt, e[1]) in targets_node:
                    needed[fn] = True
                if nxt not in needed and nxt not in on_stack:
                    on_stack.add(nxt)
                    stack.append((nxt, iter(nxt._edges)))
                    advanced = True
                    break
                if needed.get(nxt):
                    needed[fn] = True
            if not advanced:
                stack.pop()
                needed.setdefault(fn, False)
                if stack and needed[fn]:
                    needed[stack[-1][0]] = True
    return needed


class _GraphTask:
    """One backward pass, as hooks running inside it see it: its id and which tensors' gradients
    it computes (``autograd.graph.register_multi_grad_hook`` waits for all of them)."""

    _ids = itertools.count()

    def __init__(self):
        self.id = next(self._ids)
        self.nodes = ()
        self.seeds = set()
        self._leaves = None

    def reaches(self, t):
        """Whether this pass computes a gradient for tensor ``t`` (runs its node or reaches it
        as a leaf)."""
        if t._grad_fn is not None:
            return t._grad_fn in self.nodes
        if self._leaves is None:
            self._leaves = set(self.seeds)
            for fn in self.nodes:
                for e in fn._edges:
                    if e is not None and isinstance(e[0], Tensor):
                        self._leaves.add(id(e[0]))
        return id(t) in self._leaves


# The backward passes running, innermost last (a hook may itself call backward).
_tasks = []


def current_task():
    """The innermost running backward pass, or None outside backward."""
    return _tasks[-1] if _tasks else None


def _run(outputs, grads, keep_graph, create_graph, capture):
    task = _GraphTask()
    _tasks.append(task)
    try:
        return _walk(task, outputs, grads, keep_graph, create_graph, capture)
    finally:
        _tasks.pop()


def _walk(task, outputs, grads, keep_graph, create_graph, capture):
    roots = []
    buffers = {}
    leaf_seeds = []
    for t, g in zip(outputs, grads):
        fn = t._grad_fn
        if fn is None:
            leaf_seeds.append((t, g))
            continue
        buf = buffers.get(fn)
        if buf is None:
            buf = buffers[fn] = [None] * fn.n_outputs
        nr = t._output_nr
        buf[nr] = g if buf[nr] is None else buf[nr] + g
        roots.append(fn)
    deps, nodes = _collect(roots)
    task.nodes = nodes
    task.seeds = {id(t) for t, _ in leaf_seeds}

    cap_leaf = cap_node = None
    results = None
    needed = None
    if capture is not None:
        results = [None] * len(capture)
        cap_leaf = {}
        cap_node = {}
        for i, t in enumerate(capture):
            if t._grad_fn is None:
                cap_leaf.setdefault(id(t), []).append(i)
            else:
                cap_node.setdefault((t._grad_fn, t._output_nr), []).append(i)
        needed = _needed(nodes, cap_leaf, cap_node)
        for t, g in leaf_seeds:
            for i in cap_leaf.get(id(t), ()):
                results[i] = g if results[i] is None else results[i] + g
    else:
        for t, g in leaf_seeds:
            _accumulate(t, g, False, create_graph)

    ready = [fn for fn in dict.fromkeys(roots) if fn not in deps]
    owned = {}  # id -> gradient the engine made and nobody else holds
    prev_mode = _State.enabled
    _State.enabled = create_graph
    anomaly = _State.anomaly
    try:
        while ready:
            fn = ready.pop()
            grads_in = buffers.pop(fn)
            if cap_node is not None:
                for nr, g in enumerate(grads_in):
                    for i in cap_node.get((fn, nr), ()):
                        results[i] = g
            if fn._pre_hooks is not None:
                grads_in = _run_pre_hooks(fn, grads_in)
                owned.clear()
            edges = fn._edges
            if fn.n_outputs == 1:
                g0 = grads_in[0]
                run = g0 is not None
            else:
                g0 = None
                run = any(g is not None for g in grads_in)
            if needed is not None and not needed.get(fn):
                run = False
            if run:
                g0_owned = g0 is not None and owned.pop(id(g0), None) is g0
                outs = fn.backward(g0) if fn.n_outputs == 1 else fn.backward(*grads_in)
                if outs.__class__ is not tuple:
                    outs = (outs,)
                if fn._bf16_inputs is not None:
                    outs = _bfloat16.round_grads(outs, fn._bf16_inputs)
                if fn._hooks is not None:
                    for hook in fn._hooks.values():
                        r = hook(outs, tuple(grads_in))
                        if r is not None:
                            outs = tuple(r)
                if anomaly:
                    _check_nan(fn, outs)
                if not keep_graph:
                    fn._release()
            else:
                outs = (None,) * len(edges)
                g0_owned = False
            owns = fn._owns_grads
            for e, g in zip(edges, outs):
                if e is None:
                    continue
                nxt = e[0]
                if isinstance(nxt, Tensor):
                    if g is None:
                        continue
                    if cap_leaf is not None:
                        for i in cap_leaf.get(id(nxt), ()):
                            results[i] = g if results[i] is None else results[i] + g
                    else:
                        _accumulate(nxt, g, owns and _fresh(g, g0, g0_owned, outs), create_graph)
                    continue
                if g is not None:
                    buf = buffers.get(nxt)
                    if buf is None:
                        buf = buffers[nxt] = [None] * nxt.n_outputs
                    nr = e[1]
                    prev = buf[nr]
                    if prev is None:
                        buf[nr] = g
                        # A new array (not the incoming gradient or a view) is the engine's
                        # own; views are resolved where they reach a leaf (``_fresh``).
                        if owns and g is not g0 and g._data.base is None and \
                                (len(outs) == 1 or _count(outs, g) == 1):
                            owned[id(g)] = g
                    else:
                        buf[nr] = g = prev + g
                        owned[id(g)] = g
                n = deps[nxt] - 1
                deps[nxt] = n
                if n == 0:
                    if nxt in buffers:
                        ready.append(nxt)
                    else:
                        _skip(nxt, deps, ready, buffers)
    finally:
        _State.enabled = prev_mode
    return results


def _count(outs, g):
    n = 0
    for o in outs:
        if o is g:
            n += 1
    return n


def _fresh(g, g0, g0_owned, outs):
    """Whether gradient ``g`` (returned by a built-in node) belongs to nobody else.

    True for a new array, or for the node's incoming gradient ``g0`` (or a view of it, such as
    a transpose) when the engine owned ``g0``; and only if ``g`` goes to exactly one input. An
    owned gradient can become a leaf's ``.grad`` without a copy (a transposed copy of a weight
    gradient costs more than the GEMM that made it).
    """
    if _count(outs, g) != 1:
        return False
    base = g._data.base
    if g is g0:
        return g0_owned
    if base is None:
        return True
    if not g0_owned:
        return False
    root = g0._data if g0._data.base is None else g0._data.base
    if base is not root:
        return False
    for o in outs:
        if o is not g and o is not None and (o is g0 or o._data.base is root):
            return False
    return True


def _skip(fn, deps, ready, buffers):
    """A node that received no gradient at all: release its dependents without running it."""
    stack = [fn]
    while stack:
        fn = stack.pop()
        for e in fn._edges:
            if e is None or isinstance(e[0], Tensor):
                continue
            nxt = e[0]
            deps[nxt] -= 1
            if deps[nxt] == 0:
                if nxt in buffers:
                    ready.append(nxt)
                else:
                    stack.append(nxt)


def _check_nan(fn, outs):
    for i, g in enumerate(outs):
        if g is not None and g._data.dtype.kind == "f" and np.isnan(g._data).any():
            raise RuntimeError("Function '%s' returned nan values in its %dth output."
                               % (fn.name(), i))


def _accumulate(leaf, g, owned, create_graph, hooks=True):
    if hooks and leaf._hooks is not None:
        for hook in list(leaf._hooks.values()):
            r = hook(g)
            if r is not None:
                g = r
                owned = False
    if g._data.dtype != leaf._data.dtype:
        # a complex gradient of a real leaf: its real part is the gradient (torch's convention)
        data = g._data.real if g._data.dtype.kind == "c" else g._data
        g = _make(data.astype(leaf._data.dtype))
        owned = True
    cur = leaf._grad
    if cur is None:
        if create_graph:
            leaf._grad = g
        elif owned and g._grad_fn is None and _same_layout(g._data, leaf._data):
            leaf._grad = g
        else:
            # torch's layout contract: .grad gets the parameter's strides, so the optimizer's
            # elementwise updates run over matching, contiguous memory.
            leaf._grad = _make(_copy_like(g._data, leaf._data))
    elif create_graph or cur._grad_fn is not None or g._grad_fn is not None:
        leaf._grad = cur + g
    else:
        cur._data += g._data
    post = leaf.__dict__.get("_post_accumulate_hooks") if hooks else None
    if post:
        for hook in list(post.values()):
            hook(leaf)


def _same_layout(a, b):
    return a.strides == b.strides or (a.flags.c_contiguous and b.flags.c_contiguous)


def _copy_like(g, like):
    """A private copy of ``g`` in ``like``'s memory order."""
    order = "F" if like.flags.f_contiguous and not like.flags.c_contiguous else "C"
    return np.array(g, order=order, copy=True)


def _run_pre_hooks(fn, grads_in):
    grads_in = list(grads_in)
    retain = []
    for entry in list(fn._pre_hooks.values()):
        if isinstance(entry, _TensorHook):
            g = grads_in[entry.nr]
            if g is None:
                continue
            if entry.retain:
                retain.append(entry)
                continue
            r = entry.fn(g)
            if r is not None:
                grads_in[entry.nr] = r
        else:
            r = entry(tuple(grads_in))
            if r is not None:
                grads_in = list(r)
    for entry in retain:
        t = entry.tensor_ref()
        g = grads_in[entry.nr]
        if t is not None and g is not None:
            if t._grad is None:
                t._grad = g if _State.enabled else (g.detach() if g._grad_fn is not None else g)
                if t._grad is g and not _State.enabled:
                    t._grad = _make(g._data.copy())
            else:
                t._grad = t._grad + g
    return grads_in


class _TensorHook:
    __slots__ = ("fn", "nr", "retain", "tensor_ref")

    def __init__(self, fn, nr, retain=False, tensor=None):
        self.fn, self.nr, self.retain = fn, nr, retain
        self.tensor_ref = weakref.ref(tensor) if tensor is not None else None


def _add_hook(hooks, hook):
    from ember.utils.hooks import RemovableHandle

    handle = RemovableHandle(hooks)
    hooks[handle.id] = hook
    return handle


def register_tensor_hook(t, hook):
    fn = t._grad_fn
    if fn is None:
        if t._hooks is None:
            t._hooks = {}
        return _add_hook(t._hooks, hook)
    if fn._pre_hooks is None:
        fn._pre_hooks = {}
    return _add_hook(fn._pre_hooks, _TensorHook(hook, t._output_nr))


def register_post_accumulate_hook(t, hook):
    return _add_hook(t.__dict__.setdefault("_post_accumulate_hooks", {}), hook)


def retain_grad(t):
    fn = t._grad_fn
    if fn._pre_hooks is None:
        fn._pre_hooks = {}
    for entry in fn._pre_hooks.values():
        if isinstance(entry, _TensorHook) and entry.retain and entry.tensor_ref() is t:
            return
    _add_hook(fn._pre_hooks, _TensorHook(None, t._output_nr, True, t))
