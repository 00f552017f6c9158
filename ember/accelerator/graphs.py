"""``torch.accelerator.graphs``: capture and replay of device graphs, which need an accelerator;
making a ``Graph`` raises torch's RuntimeError here."""
__all__ = ["Graph"]


class Graph:
    """A device graph (captured kernel launches replayed at once). There is no accelerator, so
    construction raises, as in torch without one."""

    def __init__(self, keep_graph=False, *, pool=None, capture_error_mode="default"):
        from ember.accelerator import _NO_ACCELERATOR

        raise RuntimeError(_NO_ACCELERATOR)
