"""``torch.amp.GradScaler`` for ember: loss scaling is only needed for float16 on CUDA."""
import warnings

__all__ = ["GradScaler"]


class GradScaler:
    """Scales losses against float16 underflow; ember trains without it.

    On a machine without CUDA torch disables the scaler (with a warning when asked for one), and
    so does ember: ``scale`` returns the loss unchanged, ``step`` calls ``optimizer.step()``,
    ``unscale_`` and ``update`` do nothing, ``get_scale()`` is 1.0 and ``state_dict()`` is empty.
    """

    def __init__(self, device="cuda", init_scale=2.0 ** 16, growth_factor=2.0,
                 backoff_factor=0.5, growth_interval=2000, enabled=True):
        if enabled:
            warnings.warn("torch.cuda.amp.GradScaler is enabled, but CUDA is not available.  "
                          "Disabling.", UserWarning, stacklevel=2)
        self._device = device
        self._enabled = False

    def is_enabled(self):
        return self._enabled

    def scale(self, outputs):
        return outputs

    def unscale_(self, optimizer):
        """Nothing to unscale: gradients were never scaled."""

    def step(self, optimizer, *args, **kwargs):
        return optimizer.step(*args, **kwargs)

    def update(self, new_scale=None):
        """Nothing to update while disabled."""

    def get_scale(self):
        return 1.0

    def get_growth_factor(self):
        return 2.0

    def get_backoff_factor(self):
        return 0.5

    def get_growth_interval(self):
        return 2000

    def state_dict(self):
        return {}

    def load_state_dict(self, state_dict):
        """Nothing to restore while disabled."""
