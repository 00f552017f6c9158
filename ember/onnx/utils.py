"""``ember.onnx.export``: trace a model once and write it as an ONNX model (torch.onnx.utils)."""
import enum
import os
import warnings

import numpy as np

from ember._tensor import Tensor
from ember.onnx.errors import OnnxExporterError

__all__ = ["export", "is_in_onnx_export", "TrainingMode"]

_EXPORTING = [False]


def is_in_onnx_export():
    """True while :func:`export` runs the model."""
    return _EXPORTING[0]


def _onnx():
    try:
        import onnx
    except ImportError:
        raise ImportError("ember.onnx.export needs the onnx package: pip install "
                          "'ember[onnx]'") from None
    return onnx


def _flat_tensors(obj, what):
    if isinstance(obj, Tensor):
        return [obj]
    if isinstance(obj, (tuple, list)):
        return [t for o in obj for t in _flat_tensors(o, what)]
    if isinstance(obj, dict):
        return [t for o in obj.values() for t in _flat_tensors(o, what)]
    if obj is None or isinstance(obj, (int, float, bool, str)):
        return []
    raise OnnxExporterError("ember.onnx.export: the model's %s holds a %s; only tensors (in "
                            "tuples, lists and dicts) can be exported" % (what, type(obj).__name__))


def _split_args(args, kwargs):
    """torch's convention: a tuple of positional args, optionally ending with a dict of kwargs."""
    if isinstance(args, Tensor):
        args = (args,)
    args = tuple(args)
    if args and isinstance(args[-1], dict):
        kwargs = {**args[-1], **(kwargs or {})}
        args = args[:-1]
    return args, dict(kwargs or {})


def _perturbed(t):
    """Another input of the same shape and dtype, to find constants that depend on the input."""
    a = t._data
    flat = np.roll(a.reshape(-1), 1)
    if a.dtype.kind == "f" and flat.size:
        # squashed within the same range, so that inputs the model checks stay valid
        lo, hi = flat.min(), flat.max()
        if hi > lo:
            flat = lo + (hi - lo) * ((flat - lo) / (hi - lo)) ** 2
    return _make(flat.reshape(a.shape).astype(a.dtype))


def _make(array):
    from ember._tensor import _make as make

    return make(np.ascontiguousarray(array))


def _traced_inputs(args, kwargs, perturb):
    """Copies of the tensor arguments (perturbed ones for the second run)."""
    def copy(obj):
        if isinstance(obj, Tensor):
            return _make(obj._data.copy()) if not perturb else _perturbed(obj)
        if isinstance(obj, (tuple, list)):
            return type(obj)(copy(o) for o in obj)
        if isinstance(obj, dict):
            return {k: copy(v) for k, v in obj.items()}
        return obj
    return copy(args), copy(kwargs)


def _run(tracer, model, args, kwargs):
    from ember.autograd.function import observe_ops
    from ember.autograd.grad_mode import no_grad

    handles = tracer.hook(model)
    saved = tracer.warn_on_conversion()
    patched = tracer.patch_public() + tracer.patch_inplace()
    try:
        with no_grad(), observe_ops(tracer.observe):
            output = model(*args, **kwargs)
        # outputs that no traced op computed are constants: checked like op operands
        tracer.signatures.append(["<output>", "", [
            t._data.copy() for t in _flat_tensors(output, "output")
            if tracer._key(t) not in tracer.names]])
        return output
    finally:
        tracer.unpatch(patched)
        for name, fn in saved.items():
            setattr(Tensor, name, fn)
        for h in handles:
            h.remove()


def _dynamic_spec(dynamic_axes, names):
    """``{value name: {axis: symbol}}`` from torch's two forms of ``dynamic_axes``."""
    spec = {}
    for name, axes in (dynamic_axes or {}).items():
        if name not in names:
            warnings.warn("Provided key %s for dynamic axes is not a valid input/output name"
                          % name)
            continue
        if isinstance(axes, dict):
            spec[name] = {int(a): str(s) for a, s in axes.items()}
        else:
            spec[name] = {int(a): "%s_dynamic_axes_%d" % (name, i + 1)
                          for i, a in enumerate(axes)}
    return spec


def _value_info(onnx, name, array, axes):
    from onnx import helper

    shape = [axes.get(i, d) for i, d in enumerate(array.shape)]
    return helper.make_tensor_value_info(
        name, helper.np_dtype_to_tensor_dtype(array.dtype), shape)


class TrainingMode(enum.IntEnum):
    """The mode the model runs in while it is traced (torch.onnx.TrainingMode)."""

    EVAL = 0
    PRESERVE = 1
    TRAINING = 2


def export(model, args=(), f=None, *, kwargs=None, verbose=None, input_names=None,
           output_names=None, opset_version=None, dynamo=True, external_data=True,
           dynamic_shapes=None, custom_translation_table=None, report=False, optimize=True,
           verify=False, profile=False, dump_exported_program=False, artifacts_dir=".",
           export_params=True, keep_initializers_as_inputs=False, dynamic_axes=None,
           training=TrainingMode.EVAL, operator_export_type=None, do_constant_folding=True,
           custom_opsets=None, export_modules_as_functions=False, autograd_inlining=True):
    """Export ``model`` to ONNX: run it once on ``args``, recording the ember ops it applies,
    and write the graph of their ONNX lowerings to ``f`` (a path or a binary file).

    Args:
        model: an ``nn.Module`` (put in eval mode for the run, then restored) or a function.
        args: a tensor or a tuple of arguments (a trailing dict holds keyword arguments).
        f: a path or a writable binary file; ``None`` only returns the ``onnx.ModelProto``.
        kwargs: keyword arguments of the model.
        export_params: store parameters and buffers as initializers (else as graph inputs).
        input_names, output_names: names of the graph's inputs and outputs, in order.
        opset_version: ONNX opset, 13 to 21 (default 17).
        dynamic_axes: ``{name: [axis, ...]}`` or ``{name: {axis: symbol}}``: dimensions that
            are symbolic in the graph (a batch exported at 1 runs at 64).
        do_constant_folding: accepted; the graph is emitted folded where ember knows the values.
        training: ``TrainingMode.EVAL`` (default: the model runs in eval mode, restored
            afterwards), ``PRESERVE`` or ``TRAINING``.
        dynamo: accepted and ignored: ember has one exporter, the tracer on its op layer (the
            other options of torch's dynamo exporter, ``external_data``, ``report``,
            ``optimize``, ``profile``..., are accepted and ignored too).
        verify: run the exported model in onnxruntime and compare with the model, on the
            traced inputs and on inputs one larger along every dynamic axis (a size read from
            a tensor, such as ``x.size(0)`` in an ``expand``, is traced as a constant and shows
            up here); raises ``OnnxExporterError`` on a difference.
        dynamic_shapes: not supported (torch.export's form); use ``dynamic_axes``.

    Returns:
        the ``onnx.ModelProto`` written (torch returns an ``ONNXProgram``, or None from its
        TorchScript exporter).

    Raises:
        UnsupportedOperatorError: the model applies an op that has no ONNX lowering; the
            message names the op and the module that called it.

    Example::

        >>> import ember, io
        >>> buf = io.BytesIO()
        >>> m = ember.onnx.export(ember.nn.Linear(3, 2), (ember.zeros(1, 3),), buf)
        >>> [n.op_type for n in m.graph.node]
        ['Gemm', 'Identity']
    """
    onnx = _onnx()
    from onnx import helper, numpy_helper

    if dynamic_shapes is not None:
        raise NotImplementedError("ember.onnx.export does not take dynamic_shapes (torch.export's "
                                  "form); give the symbolic dimensions with dynamic_axes")
    opset = 17 if opset_version is None else int(opset_version)
    if not 13 <= opset <= 21:
        raise ValueError("ember.onnx.export supports opset versions 13 to 21, got %d" % opset)
    trace = trace_model(model, args, kwargs, input_names, output_names, dynamic_axes, opset,
                        export_params, training)
    g, tracer, spec = trace.graph, trace.tracer, trace.spec
    in_names, inputs = trace.input_names, trace.inputs
    graph_outputs = []
    for t, name in zip(trace.outputs, trace.output_names):
        src = trace.output_values[name]
        axes = spec.get(name) or {a: "%s_dim_%d" % (name, a) for a in tracer.dyn.get(src, ())}
        if spec and not spec.get(name):
            # with dynamic inputs, sizes the tracer cannot follow are left unknown
            axes = {**{a: None for a in range(t._data.ndim)}, **axes}
        graph_outputs.append(_value_info(onnx, name, t._data, axes))
    graph_inputs = [_value_info(onnx, n, t._data, spec.get(n, {}))
                    for n, t in zip(in_names, inputs)]
    graph_inputs += [_value_info(onnx, n, a, {}) for n, a in tracer.graph_params]
    initializers = [numpy_helper.from_array(a, name) for name, a in g.initializers.items()]
    if keep_initializers_as_inputs:
        graph_inputs += [_value_info(onnx, name, a, {}) for name, a in g.initializers.items()]
    graph = helper.make_graph([n.proto() for n in g.nodes], trace.name,
                              graph_inputs, graph_outputs, initializers)
    proto = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)],
                              producer_name="ember", producer_version=_version())
    proto.ir_version = min(proto.ir_version, 10)
    onnx.checker.check_model(proto)
    if verify:
        _verify(proto, model, args, kwargs, trace)
    if f is not None:
        if isinstance(f, (str, os.PathLike)):
            onnx.save(proto, os.fspath(f))
        else:
            f.write(proto.SerializeToString())
    return proto


class Trace:
    """A traced model: the graph, the tracer's bookkeeping and the graph's inputs/outputs."""


def trace_model(model, args=(), kwargs=None, input_names=None, output_names=None,
                dynamic_axes=None, opset=17, export_params=True, training=TrainingMode.EVAL,
                check=True):
    """Run ``model`` once under the tracer and return a :class:`Trace` (used by
    :func:`export` and by ``SummaryWriter.add_graph``; needs no onnx package)."""
    from ember.nn import Module
    from ember.onnx import _lowerings  # noqa: F401  (registers the lowerings)
    from ember.onnx._graph import Graph, OpNode
    from ember.onnx._trace import Tracer

    args, kwargs = _split_args(args, kwargs)
    res = Trace()
    res.name = type(model).__name__ if isinstance(model, Module) else "main_graph"
    if not isinstance(model, Module):
        fn = model
        model = Module()
        model.forward = fn
    was_training = model.training
    if training is None or training == TrainingMode.EVAL:
        model.eval()
    elif training == TrainingMode.TRAINING:
        model.train()
    _EXPORTING[0] = True
    try:
        g = Graph(opset)
        tracer = Tracer(g, model, export_params)
        targs, tkwargs = _traced_inputs(args, kwargs, False)
        inputs = _flat_tensors((targs, tkwargs), "arguments")
        in_names = list(input_names or [])
        in_names += ["input_%d" % i if len(inputs) > 1 else "input"
                     for i in range(len(in_names), len(inputs))]
        in_names = [g.reserve(n) for n in in_names[:len(inputs)]]
        out_given = list(output_names or [])
        spec = _dynamic_spec(dynamic_axes, set(in_names) | set(out_given))
        for t, name in zip(inputs, in_names):
            tracer.bind(t, name, spec.get(name, {}).keys())
        output = _run(tracer, model, targs, tkwargs)
        outputs = _flat_tensors(output, "output")
        if not outputs:
            raise OnnxExporterError("ember.onnx.export: the model returned no tensor")
        if check:
            _check_constants(model, args, kwargs, tracer)
    finally:
        _EXPORTING[0] = False
        model.train(was_training)
    out_names = out_given + ["output_%d" % i if len(outputs) > 1 else "output"
                             for i in range(len(out_given), len(outputs))]
    res.output_values = {}
    g.scope = ""
    for t, name in zip(outputs, out_names):
        src = tracer.names.get(tracer._key(t)) or tracer.name_of(t)
        res.output_values[name] = src
        g.nodes.append(OpNode("Identity", [src], [g.reserve(name)], g.fresh("Identity"), {}))
    res.graph, res.tracer, res.inputs, res.outputs = g, tracer, inputs, outputs
    res.input_names, res.output_names = in_names, out_names
    res.spec = _dynamic_spec(dynamic_axes, set(in_names) | set(out_names))
    return res


def _verify(proto, model, args, kwargs, trace):
    try:
        import onnxruntime
    except ImportError:
        raise ImportError("export(verify=True) needs onnxruntime: pip install "
                          "'ember[onnx]'") from None
    from ember.autograd.grad_mode import no_grad
    from ember.nn import Module

    session = onnxruntime.InferenceSession(proto.SerializeToString(),
                                           providers=["CPUExecutionProvider"])
    args, kwargs = _split_args(args, kwargs)
    for grow in (False, True):
        if grow and not trace.spec:
            break
        arrays = iter(_grown(t._data, trace.spec.get(n, {}) if grow else {})
                      for t, n in zip(trace.inputs, trace.input_names))

        def rebuilt(obj):
            if isinstance(obj, Tensor):
                return _make(next(arrays))
            if isinstance(obj, (tuple, list)):
                return type(obj)(rebuilt(o) for o in obj)
            if isinstance(obj, dict):
                return {k: rebuilt(v) for k, v in obj.items()}
            return obj
        rargs, rkwargs = rebuilt(args), rebuilt(kwargs)
        feeds = {n: t._data for n, t in zip(trace.input_names,
                                            _flat_tensors((rargs, rkwargs), "arguments"))}
        was_training = model.training if isinstance(model, Module) else None
        if was_training is not None:
            model.eval()
        try:
            with no_grad():
                want = [t._data for t in _flat_tensors(model(*rargs, **rkwargs), "output")]
        finally:
            if was_training is not None:
                model.train(was_training)
        where = "at the traced sizes" if not grow else \
            "with the dynamic axes one larger (%s)" % ", ".join(
                "%s %s" % (n, tuple(a.shape)) for n, a in feeds.items())
        try:
            got = session.run(None, feeds)
        except Exception as e:  # onnxruntime's own error types
            raise OnnxExporterError("ember.onnx.export(verify=True): onnxruntime fails %s: %s"
                                    % (where, str(e).splitlines()[0][:300])) from None
        for name, g, w in zip(trace.output_names, got, want):
            if g.shape != w.shape or not np.allclose(g, w, rtol=1e-3, atol=1e-5,
                                                     equal_nan=True):
                raise OnnxExporterError(
                    "ember.onnx.export(verify=True): output %r differs from the model %s "
                    "(shape %s vs %s)" % (name, where, g.shape, w.shape))


def _grown(array, axes):
    """``array`` one larger along each of ``axes`` (its first slice repeated)."""
    for a in axes:
        array = np.concatenate([array, np.take(array, [0], axis=a)], axis=a)
    return array


def _version():
    import ember

    return ember.__version__


def _check_constants(model, args, kwargs, tracer):
    """Run the model again on other input values; an op whose constant operands change with
    the inputs got data the tracer did not see (an op outside the op layer, or a Python value
    read from a tensor), and the exported graph would compute something else."""
    from ember.onnx._trace import Tracer

    second = Tracer(None, model)
    pargs, pkwargs = _traced_inputs(args, kwargs, True)
    for t in _flat_tensors((pargs, pkwargs), "arguments"):
        second.bind(t, "input")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _run(second, model, pargs, pkwargs)
    first = tracer.signatures
    if [s[:2] for s in first] != [s[:2] for s in second.signatures]:
        from ember.onnx._trace import TracerWarning

        warnings.warn("The model applies different ops for other input values (data-dependent "
                      "control flow): the exported graph holds the path taken for the given "
                      "inputs", TracerWarning, stacklevel=3)
        return
    for (op, path, a), (_, _, b) in zip(first, second.signatures):
        if len(a) != len(b) or any(x.shape != y.shape or not np.array_equal(x, y, equal_nan=True)
                                   for x, y in zip(a, b)):
            from ember.onnx.errors import UnsupportedOperatorError

            raise UnsupportedOperatorError(
                "ember.onnx.export: the op %s (called from module '%s') received a value "
                "computed from the inputs outside the traced ops (an op without a lowering, "
                "or a Python number read from a tensor); the export would compute something "
                "else for other inputs" % (op, path or "<top>"))
