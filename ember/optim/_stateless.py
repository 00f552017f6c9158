"""``swap_in_optimizer_params_and_state``: run an optimizer on other parameters and state for a
while, as torch's (``torch/optim/_stateless.py``)."""
import contextlib
from collections import defaultdict

from ember._tensor import Tensor

__all__ = ["swap_in_optimizer_params_and_state"]

_NAME = "swap_in_optimizer_params_and_state"


def _group_ids(idx, group, swapin_group):
    """The packed parameter ids of one swap-in group, checked against its live group."""
    if not isinstance(swapin_group, dict):
        raise RuntimeError("%s requires each optimizer param group to be a dictionary." % _NAME)
    ids = swapin_group.get("params")
    if not isinstance(ids, list) or not all(isinstance(i, int) for i in ids):
        raise RuntimeError("%s requires optimizer.state_dict()-style param_groups[*]['params'] "
                           "entries keyed by packed parameter ids." % _NAME)
    if len(group["params"]) != len(ids):
        raise RuntimeError("swapin_optim_state param group %d has a different number of params "
                           "than the live optimizer param group." % idx)
    swapin_only = [k for k in swapin_group if k not in group]
    live_only = [k for k in group if k not in swapin_group]
    if swapin_only or live_only:
        raise RuntimeError("%s requires optimizer.state_dict()-style param group keys to exactly "
                           "match the live optimizer group keys for group %d. Keys only in "
                           "swap-in: %s. Keys only in live: %s." % (_NAME, idx, swapin_only,
                                                                   live_only))
    return ids


def _prepare(optimizer, swapin_parameters, swapin_optim_state):
    """The swap-in state and, per live group, (group, swap-in group, swap-in parameters)."""
    if not optimizer.state:
        raise RuntimeError("%s requires initialized optimizer state." % _NAME)
    if not isinstance(swapin_optim_state, dict):
        raise RuntimeError("%s requires a DCP-style optimizer state_dict." % _NAME)
    state = swapin_optim_state.get("state")
    if not isinstance(state, dict):
        raise RuntimeError("%s requires swapin_optim_state['state'] to be a dict mapping packed "
                           "parameter ids to per-param state dicts, got %s."
                           % (_NAME, type(state).__name__))
    if any(isinstance(k, Tensor) for k in state):
        raise RuntimeError("%s requires optimizer.state_dict()-style state keyed by packed "
                           "parameter ids." % _NAME)
    if any(isinstance(k, int) and not isinstance(v, dict) for k, v in state.items()):
        raise RuntimeError("%s requires per-parameter optimizer state entries to be "
                           "dictionaries." % _NAME)
    groups = swapin_optim_state.get("param_groups")
    if not isinstance(groups, list):
        raise RuntimeError("%s requires swapin_optim_state['param_groups'] to be a list of "
                           "param-group dicts, got %s." % (_NAME, type(groups).__name__))
    if len(optimizer.param_groups) != len(groups):
        raise RuntimeError("swapin_optim_state has a different number of parameter groups than "
                           "the live optimizer.")
    flat = list(swapin_parameters.values())
    offset, seen, infos = 0, set(), []
    for idx, (group, swapin_group) in enumerate(zip(optimizer.param_groups, groups)):
        ids = _group_ids(idx, group, swapin_group)
        seen.update(ids)
        if offset + len(ids) > len(flat):
            raise RuntimeError("%s requires the explicit parameter state to match "
                               "optimizer.param_groups ordering." % _NAME)
        infos.append((group, swapin_group, flat[offset:offset + len(ids)]))
        offset += len(ids)
    extra = [k for k in state if k not in seen]
    if extra:
        raise RuntimeError("%s requires swapin_optim_state['state'] to be keyed only by packed "
                           "parameter ids from param_groups[*]['params']; got extra keys %r."
                           % (_NAME, extra))
    return state, infos


@contextlib.contextmanager
def swap_in_optimizer_params_and_state(optimizer, swapin_parameters, swapin_optim_state):
    """Replace ``optimizer``'s parameters and state with ``swapin_parameters`` (in the order of
    its groups' parameters) and ``swapin_optim_state`` (an ``optimizer.state_dict()``) inside the
    context; restore them on exit. In-place changes to the swap-in state tensors stay in them.

    Example:
        >>> import ember
        >>> w = ember.nn.Parameter(ember.ones(2))
        >>> opt = ember.optim.SGD([w], lr=0.5, momentum=0.9)
        >>> w.grad = ember.ones(2); opt.step()
        >>> other = ember.nn.Parameter(ember.zeros(2)); other.grad = ember.ones(2)
        >>> with ember.optim.swap_in_optimizer_params_and_state(opt, {"w": other},
        ...                                                     opt.state_dict()):
        ...     opt.step()
        >>> other
        Parameter containing:
        tensor([-0.9500, -0.9500], requires_grad=True)
    """
    state, infos = _prepare(optimizer, swapin_parameters, swapin_optim_state)
    original_state = optimizer.state
    snapshots = [dict(g) for g in optimizer.param_groups]
    try:
        swapped = defaultdict(dict)
        for group, swapin_group, params in infos:
            group["params"] = params
            for key, value in swapin_group.items():
                if key != "params":
                    group[key] = value
            for param, pid in zip(params, swapin_group["params"]):
                swapped[param] = dict(state.get(pid, {}))
        optimizer.state = swapped
        yield
    finally:
        for group, snapshot in zip(optimizer.param_groups, snapshots):
            group.clear()
            group.update(snapshot)
        optimizer.state = original_state
