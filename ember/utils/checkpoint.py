"""``ember.utils.checkpoint``: trade compute for memory by recomputing a segment in backward.

``checkpoint(fn, *args)`` runs ``fn`` without recording its graph (its intermediate results are
not kept), then reruns it with grad enabled when the backward pass reaches it, restoring the
random state so that dropout draws the same masks: the gradients are those of ``fn(*args)``.
Both of torch's variants are offered: ``use_reentrant=True`` (torch's default when the argument
is not given, with torch's warning) records nothing when no input requires grad;
``use_reentrant=False`` also gives gradients to parameters when no input requires grad.
"""
import contextlib
import warnings

from ember._tensor import Tensor
from ember.autograd.function import Function
from ember.autograd.grad_mode import enable_grad

__all__ = ["CheckpointError", "CheckpointFunction", "checkpoint", "checkpoint_sequential",
           "detach_variable", "noop_context_fn", "check_backward_validity", "DefaultDeviceType",
           "get_device_states", "set_device_states", "set_checkpoint_early_stop",
           "set_checkpoint_debug_enabled"]

# Set by the context managers below (None: the per-call argument decides). ember's checkpoint
# recomputes the whole segment and has no debug trace, so both are kept as settings only.
_enable_checkpoint_early_stop = None
_checkpoint_debug_enabled = None


@contextlib.contextmanager
def set_checkpoint_early_stop(enable):
    """Within it, non-reentrant checkpoints stop recomputing once the needed tensors are back
    (``enable``) or always finish (torch's setting; ember always recomputes the segment)."""
    global _enable_checkpoint_early_stop
    previous, _enable_checkpoint_early_stop = _enable_checkpoint_early_stop, enable
    try:
        yield
    finally:
        _enable_checkpoint_early_stop = previous


@contextlib.contextmanager
def set_checkpoint_debug_enabled(enabled):
    """Within it, checkpoints run with ``debug=enabled`` whatever their argument (None: the
    argument decides)."""
    global _checkpoint_debug_enabled
    previous, _checkpoint_debug_enabled = _checkpoint_debug_enabled, enabled
    try:
        yield
    finally:
        _checkpoint_debug_enabled = previous


def check_backward_validity(inputs):
    """Warn, as torch's reentrant checkpoint does, when no input tensor requires grad."""
    if not any(inp.requires_grad for inp in inputs if isinstance(inp, Tensor)):
        warnings.warn("None of the inputs have requires_grad=True. Gradients will be None",
                      stacklevel=2)


class DefaultDeviceType:
    """The device type whose random state checkpoints save and restore: the current
    accelerator's, else ``"cpu"`` (always ``"cpu"`` for ember unless set)."""

    _default_device_type = None

    @staticmethod
    def set_device_type(device="cuda"):
        DefaultDeviceType._default_device_type = device

    @staticmethod
    def get_device_type():
        if not DefaultDeviceType._default_device_type:
            DefaultDeviceType._default_device_type = "cpu"
        return DefaultDeviceType._default_device_type


def get_device_states(*args):
    """``(device ids, their RNG states)`` of the non-CPU devices the tensors in ``args`` are
    on: ``([], [])``, as ember tensors are all on the CPU (whose state checkpoint keeps apart)."""
    return [], []


def set_device_states(devices, states, *, device_type=None):
    """Restore the RNG states ``get_device_states`` returned (no device beyond the CPU here)."""
    if list(devices):
        raise RuntimeError("ember has no %s device %s to restore a random state on"
                           % (device_type or DefaultDeviceType.get_device_type(), devices))


class CheckpointError(RuntimeError):
    """Raised when a recomputation does not match the original forward."""


def noop_context_fn():
    """The default ``context_fn``: no context around forward or recomputation."""
    import contextlib

    return contextlib.nullcontext(), contextlib.nullcontext()


def detach_variable(inputs):
    """Detached copies of the tensors in ``inputs`` keeping their ``requires_grad``."""
    if not isinstance(inputs, tuple):
        raise RuntimeError("Only tuple of tensors is supported. Got Unsupported input type: "
                           + type(inputs).__name__)
    return tuple(x.detach().requires_grad_(x.requires_grad) if isinstance(x, Tensor) else x
                 for x in inputs)


class CheckpointFunction(Function):
    """Runs ``run_function`` unrecorded in forward and again, recorded, in backward."""

    @staticmethod
    def forward(ctx, run_function, preserve_rng_state, context_fn, *args):
        from ember.random import get_rng_state

        ctx.run_function, ctx.context_fn = run_function, context_fn
        ctx.rng_state = get_rng_state() if preserve_rng_state else None
        ctx.inputs = args
        forward_context, _ = context_fn()
        with forward_context:
            return run_function(*args)

    @staticmethod
    def backward(ctx, *grad_outputs):
        from ember import autograd
        from ember.random import get_rng_state, set_rng_state

        inputs = detach_variable(ctx.inputs)
        current = get_rng_state() if ctx.rng_state is not None else None
        if ctx.rng_state is not None:
            set_rng_state(ctx.rng_state)
        try:
            _, recompute_context = ctx.context_fn()
            with enable_grad(), recompute_context:
                outputs = ctx.run_function(*inputs)
        finally:
            if current is not None:
                set_rng_state(current)
        outputs = outputs if isinstance(outputs, tuple) else (outputs,)
        pairs = [(o, g) for o, g in zip(outputs, grad_outputs)
                 if isinstance(o, Tensor) and o.requires_grad]
        if not pairs:
            raise RuntimeError("none of output has requires_grad=True, this checkpoint() is not "
                               "necessary")
        autograd.backward([o for o, _ in pairs], [g for _, g in pairs])
        return (None, None, None) + tuple(x.grad if isinstance(x, Tensor) else None
                                          for x in inputs)


def checkpoint(function, *args, use_reentrant=None, context_fn=noop_context_fn,
               determinism_check="default", debug=False, early_stop=True,
               preserve_rng_state=True, **kwargs):
    """Run ``function(*args, **kwargs)`` without keeping its intermediate results; recompute
    them in backward.

    Args:
        function: the segment to run (a module or any callable).
        *args: its inputs.
        use_reentrant (bool): torch's two variants (see the module doc); torch warns when it is
            not given and then uses ``True``.
        context_fn: returns two context managers, around the forward and the recomputation.
        preserve_rng_state (bool): replay the random state in the recomputation.

    Returns:
        what ``function`` returns.
    """
    if use_reentrant is None:
        warnings.warn("torch.utils.checkpoint: the use_reentrant parameter should be passed "
                      "explicitly. use_reentrant=False is recommended, but if you need to "
                      "preserve the current default behavior, you can pass use_reentrant=True.",
                      UserWarning, stacklevel=2)
        use_reentrant = True
    if use_reentrant:
        if kwargs:
            raise ValueError("Unexpected keyword arguments: " + ",".join(kwargs))
        if not any(isinstance(a, Tensor) and a.requires_grad for a in args):
            warnings.warn("None of the inputs have requires_grad=True. Gradients will be None",
                          UserWarning, stacklevel=2)
    elif kwargs or not any(isinstance(a, Tensor) and a.requires_grad for a in args):
        # the node would not be recorded: run plainly so that parameters still get gradients
        return function(*args, **kwargs)
    return CheckpointFunction.apply(function, preserve_rng_state, context_fn, *args)


def checkpoint_sequential(functions, segments, input, use_reentrant=None, **kwargs):
    """Run a sequence of modules in ``segments`` chunks, checkpointing all but the last.

    Args:
        functions (Sequential or list of modules): the sequence.
        segments (int): how many chunks to cut it into.
        input (Tensor): the input of the first module.
        use_reentrant (bool): as for ``checkpoint``.
    """
    if use_reentrant is None:
        warnings.warn("torch.utils.checkpoint.checkpoint_sequential: the use_reentrant parameter "
                      "should be passed explicitly. use_reentrant=False is recommended, but if "
                      "you need to preserve the current default behavior, you can pass "
                      "use_reentrant=True.", UserWarning, stacklevel=2)
        use_reentrant = True
    functions = list(functions.children()) if hasattr(functions, "children") else list(functions)

    def run(start, end):
        def forward(x):
            for module in functions[start:end + 1]:
                x = module(x)
            return x

        return forward

    segment_size = len(functions) // segments
    end = -1
    for start in range(0, segment_size * (segments - 1), segment_size):
        end = start + segment_size - 1
        input = checkpoint(run(start, end), input, use_reentrant=use_reentrant, **kwargs)
    return run(end + 1, len(functions) - 1)(input)
