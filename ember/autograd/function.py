"""Autograd graph nodes: ember's built-in op records and the public ``autograd.Function``.

Every differentiable op is a subclass of ``Node`` holding its forward (on arrays) and its
backward (on ember tensors, so that ``create_graph=True`` can differentiate the backward). A
call ``Op.apply((a, b), *params)`` runs the forward and, when grad mode is on and an input
requires grad, records the node as the result's ``grad_fn``.
"""
from ember import _bfloat16
from ember.autograd.grad_mode import _State
from ember._tensor import Tensor, _as_ndarray, _make, _ndarray

# Marks a node whose saved tensors were freed by a backward without retain_graph.
_RELEASED = ("released",)

# The saved-tensor hooks in force, innermost last: ``(pack_hook, unpack_hook)`` pairs pushed by
# ``autograd.graph.saved_tensors_hooks``. While one is in force, every tensor an op saves for
# its backward is stored as ``pack_hook(tensor)`` and read back as ``unpack_hook(packed)``.
_saved_tensors_hooks = []


class _Packed:
    """A saved tensor as its pack hook returned it, with the unpack hook to read it back."""

    __slots__ = ("packed", "unpack")

    def __init__(self, tensor, hooks):
        self.packed = hooks[0](tensor)
        self.unpack = hooks[1]

    def tensor(self):
        t = self.unpack(self.packed)
        if not isinstance(t, Tensor):
            raise TypeError("Output of saved tensor unpack_hook expected to be a Tensor but got "
                            "result of type %s" % type(t).__name__)
        return t


def _pack_saved(ctx, saved, output):
    """Pack ``saved`` (None standing for ``output``) with the innermost saved-tensor hooks.

    The tensors are no longer held, so no version check applies to them (as in torch: what
    the pack hook returned is what backward gets)."""
    hooks = _saved_tensors_hooks[-1]
    ctx._saved = tuple(_Packed(output if t is None else t, hooks) for t in saved)
    ctx._packed = True
    ctx.__dict__.pop("_out", None)


def _raise_broadcast_error(error, inputs):
    """NumPy's broadcasting ValueError as torch's RuntimeError, naming the first two shapes
    (among the op's inputs) that do not broadcast."""
    if "could not be broadcast" not in str(error):
        return
    shapes = [tuple(t._data.shape) for t in inputs]
    for i, a in enumerate(shapes):
        for b in shapes[i + 1:]:
            for k in range(1, min(len(a), len(b)) + 1):
                if a[-k] != b[-k] and a[-k] != 1 and b[-k] != 1:
                    raise RuntimeError(
                        "The size of tensor a (%d) must match the size of tensor b (%d) at "
                        "non-singleton dimension %d" % (a[-k], b[-k], max(len(a), len(b)) - k)
                    ) from None
    raise RuntimeError("shapes cannot be broadcast together: %s" % str(error)) from None


class _Batching:
    """vmap's hook: while ``depth`` > 0, an op with a batched input goes to ``apply`` (set by
    ``ember.func._batching``, which also sets ``batched``); outside vmap it costs one test."""

    depth = 0


class Node:
    """A recorded op application: torch's ``grad_fn`` objects.

    Class attributes a built-in op sets:
        save: indices of the inputs its backward reads (kept, version-checked).
        save_output: whether its backward reads the output.
    """

    __slots__ = ("_edges", "__dict__", "__weakref__")
    save = ()
    save_output = False
    n_outputs = 1
    # Filled per instance only when used; the class-level defaults keep recording cheap.
    _saved = ()
    _versions = ()
    _pre_hooks = None
    _hooks = None
    _packed = False
    # Built-in ops return fresh gradient arrays that the engine may hand to a leaf's ``.grad``
    # without copying; custom Functions may return tensors the user still holds.
    _owns_grads = True
    # Indices of the bfloat16 inputs of an op that computed in float32 (ember._bfloat16): the
    # engine rounds their gradients to bfloat16, as torch's gradients keep the input's dtype.
    _bf16_inputs = None

    @classmethod
    def apply(cls, inputs, *params, **kwparams):
        """Run the op on ``inputs`` (a tuple of Tensors) and record it when needed."""
        if _Batching.depth and _Batching.batched(inputs, params, kwparams):
            return _Batching.apply(cls, inputs, params, kwparams, False)
        ctx = _new(cls)
        n = len(inputs)
        try:
            if _bfloat16.SEEN[0] and _bfloat16.any_bfloat16(inputs):
                out = _bfloat16.forward(ctx, [t._data for t in inputs], params, kwparams)
            elif kwparams:
                out = cls.forward(ctx, *[t._data for t in inputs], *params, **kwparams)
            elif n == 1:
                out = cls.forward(ctx, inputs[0]._data, *params)
            elif n == 2:
                out = cls.forward(ctx, inputs[0]._data, inputs[1]._data, *params)
            else:
                out = cls.forward(ctx, *[t._data for t in inputs], *params)
        except ValueError as e:
            _raise_broadcast_error(e, inputs)
            raise
        if out.__class__ is not _ndarray:
            out = _as_ndarray(out)
        if _State.enabled:
            for t in inputs:
                if t._requires_grad:
                    return _record(ctx, inputs, out)
        res = _new(Tensor)
        res._data = out
        res._requires_grad = False
        res._grad_fn = None
        return res

    @classmethod
    def apply_multi(cls, inputs, *params):
        """Run an op whose forward returns a tuple of arrays; every output tensor has this
        node as its grad_fn (``output_nr`` 0, 1, ...) and ``backward`` receives one gradient
        per output (None for outputs that got none)."""
        if _Batching.depth and _Batching.batched(inputs, params, {}):
            return _Batching.apply(cls, inputs, params, {}, True)
        ctx = _new(cls)
        if _bfloat16.SEEN[0] and _bfloat16.any_bfloat16(inputs):
            outs = _bfloat16.forward(ctx, [t._data for t in inputs], params, {})
        else:
            outs = cls.forward(ctx, *[t._data for t in inputs], *params)
        if _State.enabled:
            for t in inputs:
                if t._requires_grad:
                    ctx.n_outputs = len(outs)
                    first = _record(ctx, inputs, outs[0])
                    res = [first]
                    for i in range(1, len(outs)):
                        t = _make(outs[i], True, ctx)
                        t._output_nr = i
                        res.append(t)
                    return tuple(res)
        return tuple(_make(o) for o in outs)

    def name(self):
        return type(self).__name__ + "Backward0"

    def __repr__(self):
        return "<%s object at %#x>" % (self.name(), id(self))

    # --- torch's public node API ----------------------------------------------------------
    @property
    def needs_input_grad(self):
        return tuple(e is not None for e in self._edges)

    @property
    def next_functions(self):
        res = []
        for e in self._edges:
            if e is None:
                res.append((None, 0))
            elif isinstance(e[0], Tensor):
                res.append((AccumulateGrad(e[0]), 0))
            else:
                res.append(e)
        return tuple(res)

    @property
    def saved_tensors(self):
        saved = self._saved
        if saved is _RELEASED:
            raise freed_graph_error()
        if self._packed:
            return tuple(p.tensor() for p in saved)
        res = []
        for t, v in zip(saved, self._versions):
            if t is None:
                res.append(self._unpack_output())
                continue
            vc = t._vc
            if vc is not None and vc[0] != v:
                raise _modified_error(t, v, vc[0])
            res.append(t)
        return tuple(res)

    def _unpack_output(self):
        """The output, re-wrapped with this node as its grad_fn (no reference cycle kept)."""
        if self._out_vc[0] != self._out_version:
            raise _modified_error(_make(self._out), self._out_version, self._out_vc[0], self, 0)
        return _make(self._out, True, self)

    def register_hook(self, fn):
        """Hook ``fn(grad_inputs, grad_outputs)`` run after this node's backward."""
        from ember.utils.hooks import RemovableHandle

        if self._hooks is None:
            self._hooks = {}
        handle = RemovableHandle(self._hooks)
        self._hooks[handle.id] = fn
        return handle

    def register_prehook(self, fn):
        """Hook ``fn(grad_outputs)`` run before this node's backward; may return new grads."""
        from ember.utils.hooks import RemovableHandle

        if self._pre_hooks is None:
            self._pre_hooks = {}
        handle = RemovableHandle(self._pre_hooks)
        self._pre_hooks[handle.id] = fn
        return handle

    @property
    def metadata(self):
        """A dict for the user's own annotations of this node (kept with the graph)."""
        return self.__dict__.setdefault("_metadata", {})

    def _release(self):
        if self._saved:
            self._saved = _RELEASED
            self.__dict__.pop("_out", None)


_new = object.__new__


class observe_ops:
    """Context manager: ``observer(cls, inputs, params, kwparams, outputs)`` runs after every
    op application inside it (``outputs`` is a tuple of tensors). ``ember.onnx`` traces models
    with it; outside it ``apply`` pays nothing."""

    def __init__(self, observer):
        self._observer = observer

    def __enter__(self):
        apply, apply_multi = Node.__dict__["apply"].__func__, Node.__dict__["apply_multi"].__func__
        observer = self._observer
        self._saved = (apply, apply_multi)

        def traced_apply(cls, inputs, *params, **kwparams):
            out = apply(cls, inputs, *params, **kwparams)
            observer(cls, inputs, params, kwparams, (out,))
            return out

        def traced_apply_multi(cls, inputs, *params):
            outs = apply_multi(cls, inputs, *params)
            observer(cls, inputs, params, {}, outs)
            return outs

        Node.apply, Node.apply_multi = classmethod(traced_apply), classmethod(traced_apply_multi)
        return self

    def __exit__(self, *exc):
        Node.apply, Node.apply_multi = (classmethod(f) for f in self._saved)
        return False


def freed_graph_error():
    """torch's error for using saved tensors that a backward without retain_graph freed."""
    return RuntimeError(
        "Trying to backward through the graph a second time (or directly access saved "
        "tensors after they have already been freed). Saved intermediate values of the "
        "graph are freed when you call .backward() or autograd.grad(). Specify "
        "retain_graph=True if you need to backward through the graph a second time or "
        "if you need to access saved tensors after calling backward.")


def tag(tensor, **attrs):
    """Set attributes on ``tensor``'s grad_fn (if recorded): ops pick torch's node name by it."""
    fn = tensor._grad_fn
    if fn is not None:
        fn.__dict__.update(attrs)
    return tensor


def _record(ctx, inputs, out):
    """Attach ``ctx`` as grad_fn of a new output tensor and link it to its inputs."""
    ctx._edges = [((t, 0) if t._grad_fn is None else (t._grad_fn, t._output_nr))
                  if t._requires_grad else None for t in inputs]
    res = _new(Tensor)
    res._data = out
    res._requires_grad = True
    res._grad_fn = ctx
    save = ctx.save
    if save:
        saved = [inputs[i] for i in save]
        ctx._versions = [0 if t._vc is None else t._vc[0] for t in saved]
        if ctx.save_output:
            saved.append(None)
            ctx._versions.append(0)
            ctx._out = out
            ctx._out_vc = res._vc = [0]
            ctx._out_version = 0
        ctx._saved = saved
        if _saved_tensors_hooks:
            _pack_saved(ctx, saved, res)
    elif ctx.save_output:
        ctx._saved = (None,)
        ctx._versions = (0,)
        ctx._out = out
        ctx._out_vc = res._vc = [0]
        ctx._out_version = 0
        if _saved_tensors_hooks:
            _pack_saved(ctx, ctx._saved, res)
    return res


class AccumulateGrad:
    """The node that accumulates a leaf's gradient into ``.grad`` (torch's AccumulateGrad)."""

    def __init__(self, variable):
        self.variable = variable
        self.next_functions = ()

    def name(self):
        return "torch::autograd::AccumulateGrad"

    def __eq__(self, other):
        return isinstance(other, AccumulateGrad) and other.variable is self.variable

    def __hash__(self):
        return id(self.variable)

    def __repr__(self):
        return "<AccumulateGrad object at %#x>" % id(self)


def _type_str(t):
    from ember._tensor_str import legacy_type_name

    return "[%s [%s]]" % (legacy_type_name(t.dtype), ", ".join(str(s) for s in t.shape))


def _modified_error(t, expected, actual, node=None, nr=None):
    fn = node if node is not None else t._grad_fn
    where = ""
    if fn is not None:
        name = fn.name()
        for suffix in ("Backward0", "Backward1", "Backward"):
            if name.endswith(suffix):
                name = name[:-len(suffix)]
                break
        where = ", which is output %d of %s," % (nr if nr is not None else t._output_nr, name)
    return RuntimeError(
        "one of the variables needed for gradient computation has been modified by an inplace "
        "operation: %s%s is at version %d; expected version %d instead. Hint: enable anomaly "
        "detection to find the operation that failed to compute its gradient, with "
        "torch.autograd.set_detect_anomaly(True, check_nan=False)." % (_type_str(t), where, actual,
                                                                       expected))


# --- the public autograd.Function -------------------------------------------------------------

class FunctionCtx:
    """What ``ctx`` offers inside a custom Function's forward and backward."""

    def save_for_backward(self, *tensors):
        self._to_save = tensors

    def mark_non_differentiable(self, *tensors):
        self._non_diff = set(id(t) for t in tensors)

    def mark_dirty(self, *tensors):
        self._dirty = tensors

    def set_materialize_grads(self, value):
        self.materialize_grads = bool(value)


class BackwardCFunction(FunctionCtx, Node):
    """Node recorded for a custom Function; ``ctx`` in its forward and backward."""

    _owns_grads = False
    materialize_grads = True

    @property
    def needs_input_grad(self):
        return self._nig

    def name(self):
        return self._fn_cls.__name__ + "Backward"

    def backward(self, *grads):
        if self.materialize_grads:
            grads = tuple(g if g is not None else _zeros_for(self, i) for i, g in enumerate(grads))
        res = self._fn_cls.backward(self, *grads)
        if not isinstance(res, tuple):
            res = (res,)
        n = len(self._edges)
        if len(res) < n:
            raise RuntimeError("function %s returned an incorrect number of gradients (expected "
                               "%d, got %d)" % (self.name(), n, len(res)))
        res = res[:n] if all(r is None for r in res[n:]) else res
        if len(res) != n:
            raise RuntimeError("function %s returned an incorrect number of gradients (expected "
                               "%d, got %d)" % (self.name(), n, len(res)))
        out = []
        for i, (g, shape) in enumerate(zip(res, self._input_shapes)):
            if g is not None and shape is not None and tuple(g.shape) != shape:
                if _can_sum_to(tuple(g.shape), shape):
                    g = g.sum_to_size(shape)
                else:
                    raise RuntimeError(
                        "Function %s returned an invalid gradient at index %d - got [%s] but "
                        "expected shape compatible with [%s]" % (
                            self.name(), i, ", ".join(map(str, g.shape)),
                            ", ".join(map(str, shape))))
            out.append(g)
        return tuple(out)


def _can_sum_to(shape, target):
    if len(target) > len(shape):
        return False
    for s, t in zip(shape[len(shape) - len(target):], target):
        if t != 1 and s != t:
            return False
    return True


def _zeros_for(node, i):
    from ember import zeros

    shape, dtype = node._output_meta[i]
    return zeros(shape, dtype=dtype)


class _FunctionMeta(type):
    def __init__(cls, name, bases, attrs):
        super().__init__(name, bases, attrs)
        cls._backward_cls = type(name + "Backward", (BackwardCFunction,), {"_fn_cls": cls})


class Function(metaclass=_FunctionMeta):
    """Base class for custom differentiable ops, as ``torch.autograd.Function``.

    Subclasses define static ``forward(ctx, *args)`` (on tensors, run without recording) and
    ``backward(ctx, *grad_outputs)`` returning one gradient per forward argument (None for
    non-tensor arguments or inputs that need none). Call it with ``MyFunction.apply(*args)``.
    """

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError("You must implement the forward function for custom "
                                  "autograd.Function.")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError("You must implement either the backward or vjp method for "
                                  "your custom autograd.Function to use it with backward mode AD.")

    vjp = backward

    @staticmethod
    def setup_context(ctx, inputs, output):
        raise NotImplementedError

    @classmethod
    def apply(cls, *args, **kwargs):
        from ember.autograd.grad_mode import no_grad

        ctx = cls._backward_cls.__new__(cls._backward_cls)
        tensor_args = [a for a in args if isinstance(a, Tensor)]
        ctx._nig = tuple(isinstance(a, Tensor) and a._requires_grad for a in args)
        ctx._to_save = ()
        ctx._non_diff = ()
        ctx._dirty = ()
        custom_setup = "setup_context" in _own_static(cls)
        with no_grad():
            if custom_setup:
                outputs = cls.forward(*args, **kwargs)
                cls.setup_context(ctx, args, outputs)
            else:
                outputs = cls.forward(ctx, *args, **kwargs)
        single = not isinstance(outputs, tuple)
        outs = (outputs,) if single else outputs
        record = _State.enabled and any(t._requires_grad for t in tensor_args)
        if not record:
            return outputs
        edges = []
        shapes = []
        for a in args:
            if isinstance(a, Tensor):
                shapes.append(tuple(a._data.shape))
                if a._requires_grad:
                    fn = a._grad_fn
                    edges.append((a, 0) if fn is None else (fn, a._output_nr))
                    continue
            else:
                shapes.append(None)
            edges.append(None)
        ctx._edges = edges
        ctx._input_shapes = shapes
        ctx._pre_hooks = ctx._hooks = None
        inputs_by_id = {id(a): a for a in tensor_args}
        dirty_ids = set(id(t) for t in ctx._dirty)
        result = []
        meta = []
        for i, o in enumerate(outs):
            if not isinstance(o, Tensor):
                result.append(o)
                meta.append(None)
                continue
            meta.append((tuple(o.shape), o.dtype))
            if id(o) in ctx._non_diff or not (o.dtype.is_floating_point or o.dtype.is_complex):
                if id(o) in inputs_by_id:
                    o = o.detach()
                result.append(o)
                continue
            if id(o) in inputs_by_id and id(o) not in dirty_ids:
                o = o.view_as(o)
            elif id(o) in dirty_ids:
                if o._grad_fn is None and o._requires_grad:
                    raise RuntimeError("a leaf Variable that requires grad is being used in an "
                                       "in-place operation.")
            o._requires_grad = True
            o._grad_fn = ctx
            o._output_nr = i
            result.append(o)
        ctx._output_meta = meta
        ctx.n_outputs = len(outs)
        saved = []
        versions = []
        for t in ctx._to_save:
            if t is None:
                saved.append(_NoneSaved)
                versions.append(0)
            else:
                saved.append(t)
                versions.append(0 if t._vc is None else t._vc[0])
        ctx._saved = tuple(saved)
        ctx._versions = tuple(versions)
        if _saved_tensors_hooks and saved:
            hooks = _saved_tensors_hooks[-1]
            ctx._saved = tuple(t if t is _NoneSaved else _Packed(t, hooks) for t in saved)
            ctx._packed = True
        return result[0] if single else tuple(result)


class _NoneSavedType:
    _vc = None


_NoneSaved = _NoneSavedType()


def _own_static(cls):
    names = set()
    for klass in cls.__mro__:
        if klass is Function:
            break
        names.update(vars(klass))
    return names


def _custom_saved_tensors(self):
    saved = self._saved
    if saved is _RELEASED:
        return Node.saved_tensors.fget(self)
    if self._packed:
        return tuple(None if p is _NoneSaved else p.tensor() for p in saved)
    res = []
    for t, v in zip(saved, self._versions):
        if t is _NoneSaved:
            res.append(None)
            continue
        vc = t._vc
        if vc is not None and vc[0] != v:
            raise _modified_error(t, v, vc[0])
        res.append(t)
    return tuple(res)


BackwardCFunction.saved_tensors = property(_custom_saved_tensors)


def once_differentiable(fn):
    """Mark a custom Function's backward as not differentiable itself (run under no_grad)."""
    import functools

    @functools.wraps(fn)
    def wrapper(ctx, *grads):
        from ember.autograd.grad_mode import no_grad

        with no_grad():
            return fn(ctx, *grads)

    return wrapper
