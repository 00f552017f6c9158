"""Stochastic weight averaging, mirroring ``torch.optim.swa_utils``: ``AveragedModel`` (SWA or
EMA of a model's parameters), ``SWALR`` (anneal to a constant SWA rate) and ``update_bn``
(recompute batch-norm statistics for the averaged weights)."""
import itertools
import math
from copy import deepcopy

from ember._backend import np
from ember.autograd.grad_mode import no_grad
from ember.nn import Module
from ember.optim.lr_scheduler import LRScheduler, _format_param
import ember

__all__ = ["AveragedModel", "update_bn", "SWALR", "get_ema_multi_avg_fn",
           "get_swa_multi_avg_fn", "get_ema_avg_fn", "get_swa_avg_fn"]


def _lerp_arrays(averaged, current, weight):
    for a, c in zip(averaged, current):
        a, c = a._data, c._data
        if a.dtype.kind == "f":
            a += (c - a) * weight
        else:
            a[...] = a + (c - a) * weight


def get_ema_multi_avg_fn(decay=0.999):
    """In-place exponential moving average of a list of tensors (for ``multi_avg_fn``)."""
    if decay < 0.0 or decay > 1.0:
        raise ValueError("Invalid decay value {} provided. Please provide a value in [0,1] "
                         "range.".format(decay))

    def ema_update(ema_param_list, current_param_list, _):
        with no_grad():
            _lerp_arrays(ema_param_list, current_param_list, 1 - decay)

    return ema_update


def get_swa_multi_avg_fn():
    """In-place running mean of a list of tensors (for ``multi_avg_fn``)."""

    def swa_update(averaged_param_list, current_param_list, num_averaged):
        with no_grad():
            _lerp_arrays(averaged_param_list, current_param_list, 1 / (int(num_averaged) + 1))

    return swa_update


def get_ema_avg_fn(decay=0.999):
    """``avg_fn`` for an exponential moving average: ``decay * ema + (1 - decay) * param``."""
    if decay < 0.0 or decay > 1.0:
        raise ValueError("Invalid decay value {} provided. Please provide a value in [0,1] "
                         "range.".format(decay))

    def ema_update(ema_param, current_param, num_averaged):
        with no_grad():
            return decay * ema_param + (1 - decay) * current_param

    return ema_update


def get_swa_avg_fn():
    """``avg_fn`` for the running mean: ``avg + (param - avg) / (num_averaged + 1)``."""

    def swa_update(averaged_param, current_param, num_averaged):
        with no_grad():
            return averaged_param + (current_param - averaged_param) / (num_averaged + 1)

    return swa_update


class AveragedModel(Module):
    """A copy of ``model`` whose parameters are the average of ``model``'s over the calls to
    :meth:`update_parameters` (the running mean by default, or ``avg_fn``/``multi_avg_fn``).

    Args:
        model (Module): the model to average.
        device: accepted for torch compatibility (ember runs on the CPU).
        avg_fn (callable): ``avg_fn(averaged, current, num_averaged)`` returning the new average
            of one parameter.
        multi_avg_fn (callable): the same over lists of tensors, updating in place.
        use_buffers (bool): average the buffers too instead of copying them (default: False).
    """

    def __init__(self, model, device=None, avg_fn=None, multi_avg_fn=None, use_buffers=False):
        super().__init__()
        if avg_fn is not None and multi_avg_fn is not None:
            raise AssertionError("Only one of avg_fn and multi_avg_fn should be provided")
        self.module = deepcopy(model)
        self.register_buffer("n_averaged", ember.tensor(0))
        self.avg_fn = avg_fn
        self.multi_avg_fn = multi_avg_fn
        self.use_buffers = use_buffers

    def forward(self, *args, **kwargs):
        return self.module(*args, **kwargs)

    def update_parameters(self, model):
        """Fold ``model``'s current parameters into the average."""
        if self.use_buffers:
            mine = itertools.chain(self.module.parameters(), self.module.buffers())
            theirs = itertools.chain(model.parameters(), model.buffers())
        else:
            mine, theirs = self.parameters(), model.parameters()
        averaged, current = [], []
        n = int(self.n_averaged.item())
        for p_avg, p_model in zip(mine, theirs):
            averaged.append(p_avg.detach())
            current.append(p_model.detach())
            if n == 0:
                p_avg._data[...] = p_model._data
        if n > 0:
            if self.multi_avg_fn is not None:
                self.multi_avg_fn(averaged, current, self.n_averaged)
            elif self.avg_fn is None:
                # torch's CPU path: ``avg + (param - avg) / (n + 1)``, in the parameter dtype.
                for a, c in zip(averaged, current):
                    a._data[...] = a._data + (c._data - a._data) / np.asarray(
                        n + 1, dtype=self.n_averaged._data.dtype)
            else:
                with no_grad():
                    for a, c in zip(averaged, current):
                        a._data[...] = self.avg_fn(a, c, self.n_averaged)._data
        if not self.use_buffers:
            # Buffers (batch-norm statistics...) are copied, not averaged.
            for b_swa, b_model in zip(self.module.buffers(), model.buffers()):
                b_swa._data[...] = b_model._data
        self.n_averaged._data += 1


def update_bn(loader, model, device=None):
    """Recompute the running statistics of ``model``'s batch-norm layers with one pass over
    ``loader`` (the cumulative average over all batches, ``momentum=None``).

    Args:
        loader (iterable): batches; for tuples or lists the first element is the input.
        model (Module): the model whose batch-norm buffers are updated.
        device: accepted for torch compatibility.
    """
    from ember.nn.modules.batchnorm import _BatchNorm

    momenta = {}
    for module in model.modules():
        if isinstance(module, _BatchNorm):
            module.reset_running_stats()
            momenta[module] = module.momentum
    if not momenta:
        return
    was_training = model.training
    model.train()
    for module in momenta:
        module.momentum = None
    with no_grad():
        for batch in loader:
            if isinstance(batch, (list, tuple)):
                batch = batch[0]
            model(batch)
    for module, momentum in momenta.items():
        module.momentum = momentum
    model.train(was_training)


class SWALR(LRScheduler):
    """Anneal each group's rate to ``swa_lr`` over ``anneal_epochs`` epochs (cosine or linear),
    then hold it.

    Args:
        optimizer (Optimizer): the wrapped optimizer.
        swa_lr (float or list): the SWA learning rate(s).
        anneal_epochs (int): epochs of the annealing phase (default: 10).
        anneal_strategy (str): ``'cos'`` or ``'linear'`` (default: ``'cos'``).
        last_epoch (int): the index of the last epoch (default: -1).
    """

    def __init__(self, optimizer, swa_lr, anneal_epochs=10, anneal_strategy="cos",
                 last_epoch=-1):
        for lr, group in zip(_format_param("swa_lr", optimizer, swa_lr),
                             optimizer.param_groups):
            group["swa_lr"] = lr
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError("anneal_strategy must be one of 'cos' or 'linear', instead got "
                             "{}".format(anneal_strategy))
        self._set_anneal_func(anneal_strategy)
        if not isinstance(anneal_epochs, int) or anneal_epochs < 0:
            raise ValueError("anneal_epochs must be equal or greater than 0, got {}".format(
                anneal_epochs))
        self.anneal_epochs = anneal_epochs
        super().__init__(optimizer, last_epoch)

    @staticmethod
    def _linear_anneal(t):
        return t

    @staticmethod
    def _cosine_anneal(t):
        return (1 - math.cos(math.pi * t)) / 2

    @staticmethod
    def _get_initial_lr(lr, swa_lr, alpha):
        if alpha == 1:
            return swa_lr
        return (lr - alpha * swa_lr) / (1 - alpha)

    def _set_anneal_func(self, anneal_strategy):
        self._anneal_strategy = anneal_strategy
        self.anneal_func = self._cosine_anneal if anneal_strategy == "cos" else (
            self._linear_anneal)

    def get_lr(self):
        self._warn_get_lr()
        # The current lr is recovered from the previous interpolation, so that SWALR composes
        # with whatever set the rate before it.
        step = self._step_count - 1
        if self.anneal_epochs == 0:
            step = max(1, step)
        prev_alpha = self.anneal_func(max(0, min(1, (step - 1) / max(1, self.anneal_epochs))))
        prev_lrs = [self._get_initial_lr(g["lr"], g["swa_lr"], prev_alpha)
                    for g in self.optimizer.param_groups]
        alpha = self.anneal_func(max(0, min(1, step / max(1, self.anneal_epochs))))
        return [g["swa_lr"] * alpha + lr * (1 - alpha)
                for g, lr in zip(self.optimizer.param_groups, prev_lrs)]

    def state_dict(self):
        return {k: v for k, v in self.__dict__.items() if k not in ("optimizer", "anneal_func")}

    def load_state_dict(self, state_dict):
        self.__dict__.update(state_dict)
        self._set_anneal_func(self._anneal_strategy)

