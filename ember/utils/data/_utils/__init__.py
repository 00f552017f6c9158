"""Internals of the DataLoader: collation, fetching and the worker loop."""
from ember.utils.data._utils import collate, fetch, worker  # noqa: F401
from ember.utils.data._utils.worker import MP_STATUS_CHECK_INTERVAL  # noqa: F401
