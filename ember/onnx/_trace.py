"""The tracer: runs a model once and lowers each ember op it applies to ONNX nodes.

Every op application goes through ``Node.apply``; :func:`ember.autograd.function.observe_ops`
shows each one (op class, input tensors, parameters, outputs) to :class:`Tracer`, which names
the inputs (graph inputs, parameters and buffers by their ``state_dict`` names, op outputs,
or constants) and calls the op's lowering, ``Node.onnx``, which sits in the op's class next to
its forward and backward and receives a :class:`Call`. Forward hooks on every submodule keep
the path of the module running, for error messages and for the modules that lower as a whole
(:data:`MODULE_LOWERINGS`); the public functions that compute outside ``Node.apply`` are
wrapped while tracing (:data:`PUBLIC_LOWERINGS`).
"""
import warnings

import numpy as np

from ember._tensor import Tensor
from ember.onnx.errors import UnsupportedOperatorError

# Module class -> lowering(call) for modules exported as one ONNX operator.
MODULE_LOWERINGS = {}
# Public function name -> lowering(call) for the ops that compute outside ``Node.apply``
# (comparisons, logic, argmax, ...): the tracer wraps those functions while it runs.
PUBLIC_LOWERINGS = {}


def _registrar(table, doc):
    def decorator(*keys):
        def register(fn):
            for key in keys:
                table[key] = fn
            return fn
        return register
    decorator.__doc__ = doc
    return decorator


lowers_module = _registrar(MODULE_LOWERINGS, "Decorator: the lowering of whole modules.")
lowers_public = _registrar(PUBLIC_LOWERINGS, "Decorator: the lowering of public functions.")


class TracerWarning(Warning):
    """The trace may not generalise to other inputs (torch.jit.TracerWarning)."""


class Call:
    """One op application as a lowering sees it.

    Attributes:
        g: the :class:`~ember.onnx._graph.Graph`.
        inputs: ONNX value names of the op's tensor inputs.
        arrays: those inputs' values at trace time (ndarrays).
        params, kwparams: the op's non-tensor arguments, as ``Node.apply`` got them.
        outs: the op's output values (ndarrays).
        in_dyn: for each input, the set of its axes that are dynamic (``dynamic_axes``).
        out_dyn: a lowering may set it (a list of sets, one per output) to override the default
            rule (an output axis is dynamic when a right-aligned input axis of the same size is).
        module: the path of the module that called the op (``""`` for the model itself).
    """

    def __init__(self, tracer, op, inputs, arrays, params, kwparams, outs, in_dyn, module):
        self.tracer, self.g, self.op = tracer, tracer.g, op
        self.inputs, self.arrays, self.params, self.kwparams = inputs, arrays, params, kwparams
        self.outs, self.in_dyn, self.module = outs, in_dyn, module
        self.op_class = None
        self.out_dyn = None

    def input_of(self, array):
        """The ONNX name of ``array`` when it is a traced value's data (an op parameter that
        carries model data, as Embedding's indices), else a constant holding it."""
        return self.tracer.name_of_array(array)

    def value(self, obj, dtype=None):
        """The ONNX name of a tensor argument, or a constant for a Python number."""
        if isinstance(obj, Tensor):
            name = self.tracer.name_of(obj)
            if dtype is not None and obj._data.dtype != dtype:
                name = self.g.cast(name, dtype)
            return name
        return self.g.const(np.asarray(obj, dtype=dtype))

    def operands(self):
        """The inputs, cast to the output's dtype where the trace shows another (ember promotes
        operand dtypes before its kernels; ONNX wants them equal)."""
        dt = self.outs[0].dtype
        return [x if a.dtype == dt else self.g.cast(x, dt)
                for x, a in zip(self.inputs, self.arrays)]

    def scalar(self, value, dtype=None):
        """A constant holding ``value`` in ``dtype`` (default: the output's)."""
        return self.g.const(np.asarray(value, dtype=dtype or self.outs[0].dtype))

    def warn(self, message):
        warnings.warn("ember.onnx.export: %s (in %s)" % (message, self.tracer.where()),
                      TracerWarning, stacklevel=2)

    def fail(self, why):
        raise UnsupportedOperatorError("ember.onnx.export: %s cannot be exported: %s (called "
                                       "from %s)" % (self.op, why, self.tracer.where()))


def _signature(value, traced_arrays):
    """The arrays in an op parameter (recursing into tuples/lists), for the second-run check."""
    if isinstance(value, np.ndarray):
        return [] if id(value) in traced_arrays else [value]
    if isinstance(value, (tuple, list)):
        return [a for v in value for a in _signature(v, traced_arrays)]
    return []


class Tracer:
    """Records one run of a model as an ONNX graph (or, with ``g=None``, only the arrays that
    each op received as constants, to check that they do not depend on the inputs)."""

    def __init__(self, g, model, export_params=True):
        self.g = g
        self.names = {}      # key of a tensor -> ONNX value name
        self.dyn = {}        # ONNX value name -> set of dynamic axes
        self.shapes = {}     # ONNX value name -> its traced shape (for add_graph)
        self.arrays = {}     # id(ndarray of a traced value) -> ONNX value name
        self.keep = []       # tensors and arrays kept alive so that ids stay unique
        self.modules = []    # stack of (path, module)
        self.suppress = 0
        self.signatures = []  # per op: (op name, module path, constant arrays)
        self.params = {}
        self.export_params = export_params
        self.graph_params = []
        for prefix, named in (("", model.named_parameters()), ("", model.named_buffers())):
            for name, t in named:
                self.params.setdefault(id(t), (prefix + name, t))

    # --- naming ---------------------------------------------------------------------------
    @staticmethod
    def _key(t):
        fn = t._grad_fn
        if fn is not None:
            return ("fn", id(fn), t._output_nr)
        vc = t._vc
        return ("t", id(t), 0 if vc is None else vc[0])

    def bind(self, t, name, dyn=()):
        self.names[self._key(t)] = name
        self.shapes[name] = t._data.shape
        self.dyn[name] = set(dyn)
        self.arrays[id(t._data)] = name
        self.keep.append(t)

    def name_of(self, t):
        name = self.names.get(self._key(t))
        if name is not None:
            return name
        if t._grad_fn is None and id(t) in self.params:
            pname, _ = self.params[id(t)]
            if self.g is None:
                self.bind(t, pname)
                return pname
            name = self.g.reserve(pname)
            if self.export_params:
                self.g.initializers[name] = np.ascontiguousarray(t._data)
            else:
                self.graph_params.append((name, t._data))
            self.bind(t, name)
            return name
        return self.constant(t._data)

    def constant(self, array):
        if self.signatures:
            self.signatures[-1][2].append(array.copy())
        if self.g is None:
            return None
        name = self.g.const(array.copy())
        self.dyn.setdefault(name, set())
        return name

    def name_of_array(self, array):
        name = self.arrays.get(id(array))
        if name is None and array.base is not None:
            name = self.arrays.get(id(array.base))
            if name is not None and array.shape != array.base.shape:
                name = None
        if name is not None:
            return name
        # an op parameter: already in the op's signature
        return self.g.const(np.array(array))

    def where(self):
        if not self.modules:
            return "the model's own forward"
        path, module = self.modules[-1]
        return "module '%s' (%s)" % (path or "<top>", type(module).__name__)

    # --- the observer ---------------------------------------------------------------------
    def observe(self, cls, inputs, params, kwparams, outputs):
        if self.suppress:
            return
        path = self.modules[-1][0] if self.modules else ""
        self.signatures.append([cls.__name__, path, []])
        for p in params:
            self.signatures[-1][2].extend(a.copy() for a in _signature(p, self.arrays))
        in_names = [self.name_of(t) for t in inputs]
        if self.g is None:
            for t in outputs:
                self.bind(t, "traced")
            return
        # the lowering sits next to the op's forward and backward (``Node.onnx``)
        lowering = getattr(cls, "onnx", None)
        op = "%s (%s)" % (cls.__name__, cls.__module__)
        if lowering is None:
            raise UnsupportedOperatorError(
                "ember.onnx.export: the op %s has no ONNX lowering (called from %s)"
                % (op, self.where()))
        call = Call(self, op, in_names, [t._data for t in inputs], params, kwparams,
                    [t._data for t in outputs], [self.dyn.get(n, set()) for n in in_names], path)
        call.op_class = cls
        self.g.scope = _scope(path)
        result = lowering(call)
        if isinstance(result, str):
            result = [result]
        out_dyn = call.out_dyn or [self._default_dyn(call, o.shape) for o in call.outs]
        for t, name, dyn in zip(outputs, result, out_dyn):
            self.bind(t, name, dyn)

    @staticmethod
    def _default_dyn(call, shape):
        dyn = set()
        for arr, d in zip(call.arrays, call.in_dyn):
            for axis in d:
                j = axis - arr.ndim + len(shape)
                if 0 <= j < len(shape) and shape[j] == arr.shape[axis]:
                    dyn.add(j)
        return dyn

    # --- module hooks ---------------------------------------------------------------------
    def hook(self, model):
        """Forward hooks on every submodule of ``model``; returns their handles."""
        handles = []
        for path, module in model.named_modules():
            handles.append(module.register_forward_pre_hook(self._enter(path), with_kwargs=True))
            handles.append(module.register_forward_hook(self._leave(path), with_kwargs=True))
        return handles

    def _enter(self, path):
        def pre_hook(module, args, kwargs):
            self.modules.append((path, module))
            if type(module) in MODULE_LOWERINGS:
                self.suppress += 1
        return pre_hook

    def _leave(self, path):
        def hook(module, args, kwargs, output):
            if type(module) in MODULE_LOWERINGS:
                self.suppress -= 1
                if not self.suppress:
                    self.signatures.append([type(module).__name__, path, []])
                    self._lower_module(module, path, args, kwargs, output)
            self.modules.pop()
        return hook

    def _lower_module(self, module, path, args, kwargs, output):
        outs = [t for t in _flat(output) if isinstance(t, Tensor)]
        if self.g is None:
            for t in outs:
                self.bind(t, "traced")
            return
        tensors = [a for a in _flat(args) if isinstance(a, Tensor)]
        names = [self.name_of(t) for t in tensors]
        call = Call(self, type(module).__name__, names, [t._data for t in tensors], args,
                    kwargs, [t._data for t in outs], [self.dyn.get(n, set()) for n in names],
                    path)
        call.op_class = type(module)
        call.module_obj = module
        call.output = output
        self.g.scope = _scope(path)
        result = MODULE_LOWERINGS[type(module)](call)
        out_dyn = call.out_dyn or [self._default_dyn(call, o.shape) for o in call.outs]
        for t, name, dyn in zip(outs, result, out_dyn):
            self.bind(t, name, dyn)

    # --- public ops outside Node.apply -----------------------------------------------------
    def patch_public(self):
        """Wrap the functions of :data:`PUBLIC_LOWERINGS` wherever ember refers to them (the
        Tensor class, ``ember`` and its submodules); returns what :func:`unpatch` restores."""
        import sys

        from ember.ops.registry import OPS

        originals = {}
        for name in PUBLIC_LOWERINGS:
            info = OPS.get(name)
            if info is not None:
                originals[id(info.func)] = (name, info.func)
                raw = getattr(info.func, "__wrapped__", None)  # what ember's own code calls
                if raw is not None:
                    originals[id(raw)] = (name, raw)
        for dunder, name in (("__eq__", "eq"), ("__ne__", "ne")):
            fn = Tensor.__dict__[dunder]
            originals.setdefault(id(fn), (name, fn))
        wrappers = {k: self._wrap(name, fn) for k, (name, fn) in originals.items()}
        patched = []
        owners = [Tensor] + [m for n, m in list(sys.modules.items())
                             if m is not None and (n == "ember" or n.startswith("ember."))]
        for owner in owners:
            for attr, value in list(vars(owner).items()):
                w = wrappers.get(id(value))
                if w is not None and originals[id(value)][1] is value:
                    patched.append((owner, attr, value))
                    setattr(owner, attr, w)
        return patched

    def patch_inplace(self):
        """In-place ops (``x += y``, ``relu_``) compute out of place and write the result into
        ``x``; while tracing they always take that path (not the NumPy ufunc shortcut) and
        ``x``, now a new version, is bound to the result's value."""
        from ember.ops import inplace

        write = inplace.write_result

        def write_result(target, res, recording):
            write(target, res, recording)
            name = self.names.get(self._key(res))
            if name is not None and not self.suppress:
                self.bind(target, name, self.dyn.get(name, ()))

        patched = [(inplace, "_try_ufunc", inplace._try_ufunc),
                   (inplace, "write_result", write)]
        inplace._try_ufunc = lambda *a: False
        inplace.write_result = write_result
        return patched

    @staticmethod
    def unpatch(patched):
        for owner, attr, value in patched:
            setattr(owner, attr, value)

    def _wrap(self, name, fn):
        tracer = self

        def traced(*args, **kwargs):
            if tracer.suppress or not any(
                    isinstance(a, Tensor) and tracer._key(a) in tracer.names
                    for a in _flat([args, kwargs])):
                return fn(*args, **kwargs)
            tracer.suppress += 1
            try:
                out = fn(*args, **kwargs)
            finally:
                tracer.suppress -= 1
            tracer.observe_public(name, args, kwargs, out)
            return out
        traced.__wrapped__ = fn
        return traced

    def observe_public(self, name, args, kwargs, output):
        path = self.modules[-1][0] if self.modules else ""
        self.signatures.append([name, path, []])
        outs = [t for t in _flat(output) if isinstance(t, Tensor)]
        if self.g is None:
            for t in outs:
                self.bind(t, "traced")
            return
        tensors = [a for a in _flat([args, kwargs]) if isinstance(a, Tensor)]
        names = [self.name_of(t) for t in tensors]
        call = Call(self, name, names, [t._data for t in tensors], args, kwargs,
                    [t._data for t in outs], [self.dyn.get(n, set()) for n in names], path)
        self.g.scope = _scope(path)
        result = PUBLIC_LOWERINGS[name](call)
        if isinstance(result, str):
            result = [result]
        out_dyn = call.out_dyn or [self._default_dyn(call, o.shape) for o in call.outs]
        for t, n, dyn in zip(outs, result, out_dyn):
            self.bind(t, n, dyn)

    # --- Python values read from traced tensors -------------------------------------------
    def warn_on_conversion(self):
        """Patch Tensor's conversions to Python values to warn, as torch's tracer does."""
        tracer = self
        saved = {k: Tensor.__dict__[k] for k in ("__bool__", "item")}

        def wrap(name, what):
            original = saved[name]

            def converted(t, *a):
                if tracer._key(t) in tracer.names and id(t) not in tracer.params:
                    warnings.warn(
                        "Converting a tensor to a Python %s might cause the trace to be "
                        "incorrect. We can't record the data flow of Python values, so this "
                        "value will be treated as a constant in the future. This means that "
                        "the trace might not generalize to other inputs!" % what,
                        TracerWarning, stacklevel=2)
                return original(t, *a)
            return converted

        Tensor.__bool__ = wrap("__bool__", "boolean")
        Tensor.item = wrap("item", "number")
        return saved


def _scope(path):
    return "/" + path.replace(".", "/") if path else ""


def _flat(obj):
    if isinstance(obj, (tuple, list)):
        return [x for o in obj for x in _flat(o)]
    if isinstance(obj, dict):
        return [x for o in obj.values() for x in _flat(o)]
    return [obj]
