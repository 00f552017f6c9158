"""Hook machinery shared by modules, optimizers and autograd, as ``torch.utils.hooks``."""
from ember._tensor import Tensor
from ember.autograd.function import Function
from ember.autograd.grad_mode import is_grad_enabled


class RemovableHandle:
    """A handle that removes a registered hook: ``handle.remove()``, or leave a ``with`` block.

    Every ``register_*_hook`` in ember returns one; hooks live in dicts keyed by ``handle.id``.

    Args:
        hooks_dict: the dict the hook is stored in, under ``handle.id``.
        extra_dict: a dict or a list of dicts keyed by the same id (e.g. the set of hooks that
            take keyword arguments), cleaned up with it.

    Example:
        >>> hooks = {}
        >>> handle = RemovableHandle(hooks)
        >>> hooks[handle.id] = print
        >>> handle.remove()
        >>> hooks
        {}
    """

    next_id = 0

    def __init__(self, hooks_dict, *, extra_dict=None):
        if extra_dict is None:
            extra_dict = ()
        elif isinstance(extra_dict, dict):
            extra_dict = (extra_dict,)
        self.hooks_dict_refs = (hooks_dict,) + tuple(extra_dict)
        self.id = RemovableHandle.next_id
        RemovableHandle.next_id += 1

    def remove(self):
        for hooks in self.hooks_dict_refs:
            hooks.pop(self.id, None)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


class BackwardHook:
    """Runs a module's full backward hooks (``register_full_backward_hook``,
    ``register_full_backward_pre_hook``).

    Identity autograd functions wrap a module call's tensor inputs and outputs: the one on the
    outputs sees ``grad_output``, the one on the inputs sees ``grad_input``.

    Args:
        module: the module whose ``_backward_hooks`` and ``_backward_pre_hooks`` run.
    """

    def __init__(self, module):
        self.module = module
        self.grad_outputs = None
        self.n_inputs = 0
        self.inputs_require_grad = False

    def setup_input_hook(self, args):
        positions = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
        self.n_inputs = len(positions)
        self.inputs_require_grad = is_grad_enabled() and any(
            args[i].requires_grad for i in positions)
        if not self.inputs_require_grad:
            return args
        wrapped = _HookIdentity.apply(self, "input", *[args[i] for i in positions])
        args = list(args)
        for i, w in zip(positions, wrapped):
            args[i] = w
        return tuple(args)

    def setup_output_hook(self, result):
        single = isinstance(result, Tensor)
        outs = (result,) if single else result
        if not isinstance(outs, tuple) or not is_grad_enabled():
            return result
        positions = [i for i, o in enumerate(outs) if isinstance(o, Tensor) and o.requires_grad]
        if not positions:
            return result
        wrapped = _HookIdentity.apply(self, "output", *[outs[i] for i in positions])
        outs = list(outs)
        for i, w in zip(positions, wrapped):
            outs[i] = w
        return outs[0] if single else tuple(outs)

    def _on_grad_outputs(self, grads):
        module = self.module
        for hook in list(module._backward_pre_hooks.values()):
            res = hook(module, grads)
            if res is not None:
                grads = tuple(res) if isinstance(res, (tuple, list)) else (res,)
        self.grad_outputs = grads
        if not self.inputs_require_grad:
            none = (None,) * self.n_inputs
            for hook in list(module._backward_hooks.values()):
                res = hook(module, none, grads)
                if res is not None and any(r is not None for r in res):
                    raise RuntimeError("Backward hook for Modules where no input requires "
                                       "gradient should always return None or None for all "
                                       "gradients.")
        return grads

    def _on_grad_inputs(self, grads):
        module = self.module
        for hook in list(module._backward_hooks.values()):
            res = hook(module, grads, self.grad_outputs)
            if res is not None:
                res = tuple(res) if isinstance(res, (tuple, list)) else (res,)
                if len(res) != len(grads):
                    raise RuntimeError("Backward hook returned an invalid number of grad_input, "
                                       "got %d, but expected %d" % (len(res), len(grads)))
                grads = res
        return grads


class _HookIdentity(Function):
    @staticmethod
    def forward(ctx, hook, kind, *tensors):
        ctx.hook, ctx.kind = hook, kind
        ctx.set_materialize_grads(False)
        # fresh aliases, so that the outputs can carry this node as their grad_fn
        return tuple(t.view(t.shape) for t in tensors)

    @staticmethod
    def backward(ctx, *grads):
        if ctx.kind == "output":
            grads = ctx.hook._on_grad_outputs(grads)
        else:
            grads = ctx.hook._on_grad_inputs(grads)
        return (None, None) + tuple(grads)
