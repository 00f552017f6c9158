"""Batch normalization layers: BatchNorm1d/2d/3d and SyncBatchNorm, as ``torch.nn``."""
import ember
from ember import _dtype
from ember._backend import np
from ember.autograd.function import Function
from ember.nn import functional as F
from ember.nn import init
from ember.nn.modules.module import Module
from ember.nn.parameter import Parameter

__all__ = ["BatchNorm1d", "BatchNorm2d", "BatchNorm3d", "SyncBatchNorm"]


class _NormBase(Module):
    """Parameters ``weight``/``bias`` and buffers ``running_mean``, ``running_var``,
    ``num_batches_tracked`` shared by batch and instance norm (registered in torch's order)."""

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True,
                 track_running_stats=True, device=None, dtype=None, *, bias=True):
        super().__init__()
        self.num_features = num_features
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        if affine:
            self.weight = Parameter(ember.empty(num_features, dtype=dtype, device=device))
            if bias:
                self.bias = Parameter(ember.empty(num_features, dtype=dtype, device=device))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        if track_running_stats:
            self.register_buffer("running_mean", ember.zeros(num_features, dtype=dtype))
            self.register_buffer("running_var", ember.ones(num_features, dtype=dtype))
            self.register_buffer("num_batches_tracked", ember.tensor(0, dtype=_dtype.int64))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)
        self.reset_parameters()

    def reset_running_stats(self):
        if self.track_running_stats:
            self.running_mean.zero_()
            self.running_var.fill_(1)
            self.num_batches_tracked.zero_()

    def reset_parameters(self):
        self.reset_running_stats()
        if self.affine:
            init.ones_(self.weight)
            if self.bias is not None:
                init.zeros_(self.bias)

    def _check_input_dim(self, input):
        raise NotImplementedError

    def extra_repr(self):
        return ("{num_features}, eps={eps}, momentum={momentum}, affine={affine}, "
                "bias={use_bias}, track_running_stats={track_running_stats}".format(
                    use_bias=self.bias is not None, **self.__dict__))


class _BatchNorm(_NormBase):
    def _update_factor(self):
        """Count this training batch; the weight of its statistics in the running ones."""
        factor = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats and self.num_batches_tracked is not None:
            self.num_batches_tracked.add_(1)
            # momentum=None: a cumulative moving average over all batches seen
            factor = (1.0 / float(self.num_batches_tracked) if self.momentum is None
                      else self.momentum)
        return factor

    def forward(self, input):
        self._check_input_dim(input)
        factor = self._update_factor()
        training = self.training or (self.running_mean is None and self.running_var is None)
        use_buffers = not self.training or self.track_running_stats
        return F.batch_norm(input, self.running_mean if use_buffers else None,
                            self.running_var if use_buffers else None, self.weight, self.bias,
                            training, factor, self.eps)


class BatchNorm1d(_BatchNorm):
    """Batch normalization over ``(N, C)`` or ``(N, C, L)``.

    In training, normalises with the batch's statistics and updates
    ``running_mean``/``running_var`` (unbiased variance) by ``momentum`` (``None``: cumulative
    average); in eval mode, normalises with the running statistics.

    Args:
        num_features (int): ``C``, the number of channels.
        eps (float): added to the variance. Default: 1e-5.
        momentum (float or None): the running statistics' update factor (``None``: a
            cumulative average). Default: 0.1.
        affine (bool): learn a scale ``weight`` and shift ``bias`` per channel. Default: ``True``.
        track_running_stats (bool): keep ``running_mean``/``running_var`` and use them in eval
            mode (``False``: always the batch's statistics). Default: ``True``.

    Shape:
        - Input: ``(N, C)`` or ``(N, C, L)``. Output: the same shape.

    Example::

        >>> import ember
        >>> m = ember.nn.BatchNorm1d(4)
        >>> m(ember.randn(8, 4)).shape
        ember.Size([8, 4])
    """

    def _check_input_dim(self, input):
        if input.dim() not in (2, 3):
            raise ValueError("expected 2D or 3D input (got %dD input)" % input.dim())


class BatchNorm2d(_BatchNorm):
    """Batch normalization over ``(N, C, H, W)``: statistics per channel over the batch and
    the plane.

    In training, normalises with the batch's statistics and updates
    ``running_mean``/``running_var`` (unbiased variance) by ``momentum``; in eval mode,
    normalises with the running statistics.

    Args:
        num_features (int): ``C``, the number of channels; ``eps``, ``momentum``, ``affine``,
            ``track_running_stats`` as in :class:`BatchNorm1d`.

    Shape:
        - Input: ``(N, C, H, W)``. Output: the same shape.

    Example::

        >>> import ember
        >>> m = ember.nn.BatchNorm2d(3)
        >>> y = m(ember.randn(4, 3, 5, 5))
        >>> y.shape, [round(v, 4) for v in y.mean((0, 2, 3)).abs().tolist()]
        (ember.Size([4, 3, 5, 5]), [0.0, 0.0, 0.0])
        >>> list(m.state_dict())
        ['weight', 'bias', 'running_mean', 'running_var', 'num_batches_tracked']
    """

    def _check_input_dim(self, input):
        if input.dim() != 4:
            raise ValueError("expected 4D input (got %dD input)" % input.dim())


class BatchNorm3d(_BatchNorm):
    """Batch normalization over ``(N, C, D, H, W)``."""

    def _check_input_dim(self, input):
        if input.dim() != 5:
            raise ValueError("expected 5D input (got %dD input)" % input.dim())


class _SyncBatchNormFunction(Function):
    """Batch norm whose statistics (and, in backward, whose gradient sums) are all-reduced
    over the group. Raw-array kernel: no double backward."""

    @staticmethod
    def forward(ctx, input, weight, bias, running_mean, running_var, momentum, eps, group):
        from ember import distributed as dist

        x = input._data
        axes = (0,) + tuple(range(2, x.ndim))
        wide = x.astype(np.float64)
        stats = ember.tensor(np.concatenate([wide.sum(axes), (wide * wide).sum(axes),
                                       [x.size // max(x.shape[1], 1)]]))
        dist.all_reduce(stats, group=group)
        c = x.shape[1]
        total = stats._data[2 * c]
        mean = stats._data[:c] / total
        var = np.maximum(stats._data[c:2 * c] / total - mean * mean, 0.0)
        if total <= 1:
            raise ValueError("Expected more than 1 value per channel when training, got input "
                             "size %s on all ranks together" % (list(input.shape),))
        if running_mean is not None:
            running_mean._data[...] = (1 - momentum) * running_mean._data + momentum * mean
            running_var._data[...] = ((1 - momentum) * running_var._data
                                      + momentum * var * total / (total - 1))
        shape = (1, c) + (1,) * (x.ndim - 2)
        invstd = 1.0 / np.sqrt(var + eps)
        xhat = ((wide - mean.reshape(shape)) * invstd.reshape(shape)).astype(x.dtype)
        y = xhat
        if weight is not None:
            y = xhat * weight._data.reshape(shape)
        if bias is not None:
            y = y + bias._data.reshape(shape)
        ctx.xhat, ctx.invstd, ctx.total, ctx.group = xhat, invstd, total, group
        ctx.weight = None if weight is None else weight._data
        return ember.tensor(y.astype(x.dtype, copy=False))

    @staticmethod
    def backward(ctx, grad_output):
        from ember import distributed as dist

        dy, xhat = grad_output._data, ctx.xhat
        axes = (0,) + tuple(range(2, dy.ndim))
        c = dy.shape[1]
        shape = (1, c) + (1,) * (dy.ndim - 2)
        sum_dy = dy.sum(axes, dtype=np.float64)
        sum_dy_xhat = (dy * xhat).sum(axes, dtype=np.float64)
        sums = ember.tensor(np.concatenate([sum_dy, sum_dy_xhat]))
        dist.all_reduce(sums, group=ctx.group)
        scale = ctx.invstd if ctx.weight is None else ctx.invstd * ctx.weight
        mean_dy = sums._data[:c] / ctx.total
        mean_dy_xhat = sums._data[c:] / ctx.total
        grad_input = (scale.reshape(shape) * (dy - mean_dy.reshape(shape)
                                              - xhat * mean_dy_xhat.reshape(shape)))
        grad_weight = (None if ctx.weight is None
                       else ember.tensor(sum_dy_xhat.astype(dy.dtype)))
        grad_bias = ember.tensor(sum_dy.astype(dy.dtype))
        return (ember.tensor(grad_input.astype(dy.dtype)), grad_weight, grad_bias, None, None,
                None, None, None)


class SyncBatchNorm(_BatchNorm):
    """Batch normalization whose statistics cover the whole batch of every rank.

    In training, each channel's mean and variance are all-reduced across ``process_group``
    (default: every rank), so the result equals :class:`BatchNorm2d` (or 1d/3d) on the
    concatenation of all ranks' batches; backward all-reduces its gradient sums likewise. In
    evaluation, or without an initialised process group, it is plain batch norm. Input
    ``(N, C, *)``. Use :meth:`convert_sync_batchnorm` to swap a model's BatchNorm layers.

    Example::

        >>> import ember
        >>> m = ember.nn.SyncBatchNorm(3)
        >>> m(ember.randn(4, 3, 2, 2)).shape
        ember.Size([4, 3, 2, 2])
    """

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True,
                 track_running_stats=True, process_group=None, device=None, dtype=None):
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device, dtype)
        self.process_group = process_group

    def _check_input_dim(self, input):
        if input.dim() < 2:
            raise ValueError("expected at least 2D input (got %dD input)" % input.dim())

    def forward(self, input):
        from ember import distributed as dist

        self._check_input_dim(input)
        if not (self.training and dist.is_initialized()
                and dist.get_world_size(self.process_group) > 1):
            return super().forward(input)
        running = self.track_running_stats
        return _SyncBatchNormFunction.apply(input, self.weight, self.bias,
                                            self.running_mean if running else None,
                                            self.running_var if running else None,
                                            self._update_factor(), self.eps, self.process_group)

    @classmethod
    def convert_sync_batchnorm(cls, module, process_group=None):
        """Return ``module`` with every BatchNorm*d layer replaced by a SyncBatchNorm that holds
        the same parameters and buffers."""
        converted = module
        if isinstance(module, _BatchNorm) and not isinstance(module, SyncBatchNorm):
            converted = cls(module.num_features, module.eps, module.momentum, module.affine,
                            module.track_running_stats, process_group)
            if module.affine:
                converted.weight = module.weight
                converted.bias = module.bias
            converted.running_mean = module.running_mean
            converted.running_var = module.running_var
            converted.num_batches_tracked = module.num_batches_tracked
            converted.training = module.training
        for name, child in module.named_children():
            converted.add_module(name, cls.convert_sync_batchnorm(child, process_group))
        return converted
