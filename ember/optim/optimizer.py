"""The optimizer base class, mirroring ``torch.optim.Optimizer``.

The base class owns everything that is not arithmetic: parameter groups and their options, the
per-parameter ``state``, ``zero_grad``, step hooks and ``state_dict``/``load_state_dict`` in
torch's layout. A subclass (as in MLX) writes only ``_init_state`` and ``_update``: the update
of one parameter, done in place on its array with NumPy ufuncs (``out=``), never recorded by
autograd.
"""
import functools
import itertools
from collections import OrderedDict, defaultdict
from copy import deepcopy

from ember._backend import np
from ember._tensor import Tensor, _make
from ember.autograd.grad_mode import enable_grad, no_grad
from ember.utils.hooks import RemovableHandle

__all__ = ["Optimizer", "register_optimizer_step_pre_hook",
           "register_optimizer_step_post_hook", "required"]


class _RequiredParameter:
    """Singleton marking an option that has no default (``SGD``'s ``lr`` in old torch)."""

    def __repr__(self):
        return "<required parameter>"


required = _RequiredParameter()


_global_pre_hooks = OrderedDict()
_global_post_hooks = OrderedDict()


def register_optimizer_step_pre_hook(hook):
    """Run ``hook(optimizer, args, kwargs)`` before the step of every optimizer."""
    handle = RemovableHandle(_global_pre_hooks)
    _global_pre_hooks[handle.id] = hook
    return handle


def register_optimizer_step_post_hook(hook):
    """Run ``hook(optimizer, args, kwargs)`` after the step of every optimizer."""
    handle = RemovableHandle(_global_post_hooks)
    _global_post_hooks[handle.id] = hook
    return handle


def _with_step_hooks(step):
    """Wrap ``step`` so the global and per-optimizer hooks run around it, as torch does.

    As in torch, hooks receive ``args`` including the optimizer itself.
    """

    @functools.wraps(step)
    def wrapper(*args, **kwargs):
        self = args[0]
        for hook in itertools.chain(_global_pre_hooks.values(),
                                    self._optimizer_step_pre_hooks.values()):
            result = hook(self, args, kwargs)
            if result is not None:
                if isinstance(result, tuple) and len(result) == 2:
                    args, kwargs = result
                else:
                    raise RuntimeError("%s must return None or a tuple of (new_args, new_kwargs), "
                                       "but got %s." % (step, result))
        out = step(*args, **kwargs)
        for hook in itertools.chain(self._optimizer_step_post_hooks.values(),
                                    _global_post_hooks.values()):
            hook(self, args, kwargs)
        return out

    wrapper.hooked = True
    return wrapper


def _to_scalar(x):
    """A Python number from a float or a one-element tensor (``lr`` may be a tensor)."""
    if isinstance(x, Tensor):
        return x._data.reshape(()).item()
    return x


def _typename(obj):
    if isinstance(obj, Tensor):
        return "ember.FloatTensor" if obj.is_floating_point() else "ember.Tensor"
    return type(obj).__module__ + "." + type(obj).__qualname__


def _check_lr(lr):
    if isinstance(lr, Tensor) and lr.numel() != 1:
        raise ValueError("Tensor lr must be 1-element")
    if not 0.0 <= lr:
        raise ValueError("Invalid learning rate: {}".format(lr))


def _check_differentiable(differentiable):
    if differentiable:
        raise NotImplementedError("ember optimizers do not support differentiable=True: the "
                                  "update is done in place on the arrays, outside autograd")


def _inc(step):
    """Add one to a 0-d step tensor in place (float32 like torch's) and return it as a float."""
    d = step._data
    d += 1
    return float(d)


def _zeros_like(p):
    return _make(np.zeros_like(p))


class Optimizer:
    """Base class for all optimizers.

    Args:
        params (iterable): tensors, ``(name, tensor)`` pairs, or dicts defining parameter groups.
        defaults (dict): default values of the optimization options, used by groups that do not
            set them.
    """

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        # Subclasses that override ``step`` (custom optimizers, LBFGS) get hooks too.
        step = cls.__dict__.get("step")
        if step is not None and not getattr(step, "hooked", False):
            cls.step = _with_step_hooks(step)

    def __init__(self, params, defaults):
        self.defaults = defaults
        self._optimizer_step_pre_hooks = OrderedDict()
        self._optimizer_step_post_hooks = OrderedDict()
        self._optimizer_state_dict_pre_hooks = OrderedDict()
        self._optimizer_state_dict_post_hooks = OrderedDict()
        self._optimizer_load_state_dict_pre_hooks = OrderedDict()
        self._optimizer_load_state_dict_post_hooks = OrderedDict()
        self._scratch = {}
        if isinstance(params, Tensor):
            raise TypeError("params argument given to the optimizer should be an iterable of "
                            "Tensors or dicts, but got " + _typename(params))
        self.state = defaultdict(dict)
        self.param_groups = []
        param_groups = list(params)
        if len(param_groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for group in param_groups:
            self.add_param_group(group)

    def __getstate__(self):
        return {"defaults": self.defaults, "state": self.state,
                "param_groups": self.param_groups}

    def __setstate__(self, state):
        self.__dict__.update(state)
        for name in ("_optimizer_step_pre_hooks", "_optimizer_step_post_hooks",
                     "_optimizer_state_dict_pre_hooks", "_optimizer_state_dict_post_hooks",
                     "_optimizer_load_state_dict_pre_hooks",
                     "_optimizer_load_state_dict_post_hooks"):
            self.__dict__.setdefault(name, OrderedDict())
        self.__dict__.setdefault("_scratch", {})
        self.defaults.setdefault("differentiable", False)

    def __repr__(self):
        lines = [self.__class__.__name__ + " ("]
        for i, group in enumerate(self.param_groups):
            lines.append("Parameter Group %d" % i)
            for key in sorted(group.keys()):
                if key != "params":
                    lines.append("    %s: %s" % (key, group[key]))
        return "\n".join(lines) + "\n)"

    # --- hooks ------------------------------------------------------------------------------
    def _register(self, hooks, hook, prepend=False):
        handle = RemovableHandle(hooks)
        hooks[handle.id] = hook
        if prepend:
            hooks.move_to_end(handle.id, last=False)
        return handle

    def register_step_pre_hook(self, hook):
        """Run ``hook(optimizer, args, kwargs)`` before each step; it may return new args."""
        return self._register(self._optimizer_step_pre_hooks, hook)

    def register_step_post_hook(self, hook):
        """Run ``hook(optimizer, args, kwargs)`` after each step."""
        return self._register(self._optimizer_step_post_hooks, hook)

    def register_state_dict_pre_hook(self, hook, prepend=False):
        return self._register(self._optimizer_state_dict_pre_hooks, hook, prepend)

    def register_state_dict_post_hook(self, hook, prepend=False):
        return self._register(self._optimizer_state_dict_post_hooks, hook, prepend)

    def register_load_state_dict_pre_hook(self, hook, prepend=False):
        return self._register(self._optimizer_load_state_dict_pre_hooks, hook, prepend)

    def register_load_state_dict_post_hook(self, hook, prepend=False):
        return self._register(self._optimizer_load_state_dict_post_hooks, hook, prepend)

    # --- state dict -------------------------------------------------------------------------
    def state_dict(self):
        """The optimizer state as a dict: ``state`` keyed by parameter index and ``param_groups``
        listing those indices, exactly as torch lays it out. Tensors are shared, not copied."""
        for hook in self._optimizer_state_dict_pre_hooks.values():
            hook(self)
        index = {}
        groups = []
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            for p in group["params"]:
                index.setdefault(id(p), len(index))
            packed["params"] = [index[id(p)] for p in group["params"]]
            groups.append(packed)
        state = {(index[id(k)] if isinstance(k, Tensor) else k): v
                 for k, v in self.state.items()}
        state_dict = {"state": state, "param_groups": groups}
        for hook in self._optimizer_state_dict_post_hooks.values():
            result = hook(self, state_dict)
            if result is not None:
                state_dict = result
        return state_dict

    def load_state_dict(self, state_dict):
        """Load a state from :meth:`state_dict` (ember's, or torch's with tensors converted).

        State tensors are copied; floating-point ones take their parameter's dtype, except
        ``step`` which keeps its own.
        """
        state_dict = state_dict.copy()
        for hook in self._optimizer_load_state_dict_pre_hooks.values():
            result = hook(self, state_dict)
            if result is not None:
                state_dict = result
        groups = self.param_groups
        saved_groups = deepcopy(state_dict["param_groups"])
        if len(groups) != len(saved_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        if any(len(g["params"]) != len(s["params"]) for g, s in zip(groups, saved_groups)):
            raise ValueError("loaded state dict contains a parameter group that doesn't match "
                             "the size of optimizer's group")
        id_map = dict(zip(itertools.chain.from_iterable(g["params"] for g in saved_groups),
                          itertools.chain.from_iterable(g["params"] for g in groups)))
        state = defaultdict(dict)
        for k, v in state_dict["state"].items():
            if k in id_map:
                param = id_map[k]
                state[param] = _cast_state(param, v)
            else:
                state[k] = v
        new_groups = []
        for group, saved in zip(groups, saved_groups):
            saved["params"] = group["params"]
            if "param_names" in group and "param_names" not in saved:
                saved["param_names"] = group["param_names"]
            new_groups.append(saved)
        self.__setstate__({"state": state, "param_groups": new_groups})
        for hook in self._optimizer_load_state_dict_post_hooks.values():
            hook(self)

    # --- gradients and groups ---------------------------------------------------------------
    def zero_grad(self, set_to_none=True):
        """Resets the gradients of all the optimizer's parameters (call it before each
        ``backward``: gradients accumulate).

        Args:
            set_to_none (bool): set each ``.grad`` to ``None`` instead of zeroing it.
                Default: ``True``.

        Example::

            >>> import ember
            >>> w = ember.nn.Parameter(ember.ones(2))
            >>> opt = ember.optim.SGD([w], lr=0.1)
            >>> (w * w).sum().backward()
            >>> w.grad
            tensor([2., 2.])
            >>> opt.zero_grad()
            >>> w.grad is None
            True
        """
        for group in self.param_groups:
            for p in group["params"]:
                g = p._grad
                if g is None:
                    continue
                if set_to_none:
                    p._grad = None
                else:
                    if g._grad_fn is not None:
                        g.detach_()
                    else:
                        g._requires_grad = False
                    if g._data.flags.writeable:
                        g._data[...] = 0
                    else:  # a read-only (e.g. broadcast) gradient array cannot be zeroed in place
                        g._data = np.zeros_like(g._data)

    def add_param_group(self, param_group):
        """Add a group of parameters with its own options (for example to unfreeze layers)."""
        if not isinstance(param_group, dict):
            raise TypeError("param_group must be a dict, but got %s" % type(param_group))
        params = param_group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, set):
            raise TypeError("optimizer parameters need to be organized in ordered collections, "
                            "but the ordering of tensors in sets will change between runs. "
                            "Please use a list instead.")
        else:
            params = list(params)
        tensors, names = [], []
        for p in params:
            if isinstance(p, tuple):
                names.append(p[0])
                tensors.append(p[1])
            else:
                tensors.append(p)
        param_group["params"] = tensors
        if names:
            if len(names) != len(tensors):
                raise ValueError("all optimizer params should be with/without names. Some param "
                                 "names are missing")
            param_group["param_names"] = names
        for p in tensors:
            if not isinstance(p, Tensor):
                raise TypeError("optimizer can only optimize Tensors, but one of the params is "
                                + _typename(p))
            if not self.defaults.get("differentiable", None) and not (p.is_leaf
                                                                       or p.retains_grad):
                raise ValueError("can't optimize a non-leaf Tensor")
        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError("parameter group didn't specify a value of required "
                                 "optimization parameter %s" % name)
            param_group.setdefault(name, default)
        if len(tensors) != len(set(map(id, tensors))):
            import warnings

            warnings.warn("optimizer contains a parameter group with duplicate parameters; in "
                          "future, this will cause an error; see "
                          "github.com/pytorch/pytorch/issues/40967 for more information",
                          stacklevel=3)
        seen = set()
        for group in self.param_groups:
            seen.update(map(id, group["params"]))
            if ("param_names" in param_group) != ("param_names" in group):
                which = "with names" if "param_names" in param_group else "without names"
                raise ValueError("all optimizer param groups should be with/without names. "
                                 "cannot add param group %s to the optimizer" % which)
        if not seen.isdisjoint(map(id, tensors)):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(param_group)

    # --- the step ---------------------------------------------------------------------------
    @_with_step_hooks
    def step(self, closure=None):
        """Performs a single optimization step: every parameter with a gradient is updated by
        the optimizer's rule (``_update``).

        Args:
            closure (Callable, optional): a closure that reevaluates the model and returns the
                loss (optimizers such as LBFGS call it several times).

        Example::

            >>> import ember
            >>> w = ember.nn.Parameter(ember.tensor([1.0, -2.0]))
            >>> opt = ember.optim.SGD([w], lr=0.1)
            >>> opt.zero_grad()
            >>> (w * w).sum().backward()
            >>> opt.step()
            >>> w
            Parameter containing:
            tensor([ 0.8000, -1.6000], requires_grad=True)
        """
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        with no_grad():
            for group in self.param_groups:
                self._step_group(group)
        return loss

    def _step_group(self, group):
        state, init, update = self.state, self._init_state, self._update
        for p in group["params"]:
            g = p._grad
            if g is None:
                continue
            s = state[p]
            if not s:
                init(p, s, group)
            update(p._data, g._data, s, group)
            p._bump_version()

    def _init_state(self, p, state, group):
        """Fill the empty ``state`` of parameter ``p`` (tensors with torch's key names)."""

    def _update(self, p, grad, state, group):
        """Update the parameter array ``p`` in place from its gradient array ``grad``."""
        raise NotImplementedError

    # --- helpers for the updates ------------------------------------------------------------
    def _tmp(self, like, slot=0):
        """A scratch array shaped like ``like``, reused across steps (never part of the state)."""
        key = (like.shape, like.dtype, slot)
        buf = self._scratch.get(key)
        if buf is None:
            buf = self._scratch[key] = np.empty_like(like)
        return buf

    def _grad(self, p, grad, group, decay=True):
        """The gradient after ``maximize`` and (coupled) ``weight_decay``, as torch applies them:
        ``-grad`` first, then ``grad + weight_decay * p``. Never writes into ``grad``."""
        maximize = group.get("maximize", False)
        wd = group.get("weight_decay", 0) if decay else 0
        if not maximize and wd == 0:
            return grad
        out = self._tmp(p, 9)
        if wd != 0:
            np.multiply(p, wd, out=out)
            if maximize:
                np.subtract(out, grad, out=out)
            else:
                np.add(out, grad, out=out)
        else:
            np.negative(grad, out=out)
        return out

    def _lerp(self, a, b, weight, tmp):
        """``a.lerp_(b, weight)`` with torch's formula (which side it starts from depends on the
        weight, for accuracy near 1)."""
        np.subtract(b, a, out=tmp)
        if abs(weight) < 0.5:
            tmp *= weight
            np.add(a, tmp, out=a)
        else:
            tmp *= float(np.float32(1) - np.float32(weight))
            np.subtract(b, tmp, out=a)


def _cast_state(param, value, key=None):
    """Deep-copy a loaded per-parameter state, casting float tensors to ``param``'s dtype."""
    if isinstance(value, Tensor):
        arr = value._data
        if key != "step" and param._data.dtype.kind == "f" and arr.dtype.kind == "f":
            return _make(arr.astype(param._data.dtype))
        return _make(arr.copy())
    if isinstance(value, np.ndarray):
        return _cast_state(param, _make(value), key)
    if isinstance(value, dict):
        return {k: _cast_state(param, v, k) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_cast_state(param, v) for v in value)
    return value
