"""Gradient-recording switches: no_grad, enable_grad, set_grad_enabled, inference_mode.

Like torch's, each works as a context manager and as a decorator. The state is one flag read
by every op while it records the graph.
"""
import functools


class _State:
    __slots__ = ()
    enabled = True
    inference = False
    anomaly = False
    multithreading = True


state = _State


def is_grad_enabled():
    """True when ops record the autograd graph."""
    return _State.enabled


def is_inference_mode_enabled():
    return _State.inference


class _GradModeContext:
    """Base of the context managers: remembers the previous state and restores it on exit."""

    _mode = True

    def __enter__(self):
        self._prev = _State.enabled
        _State.enabled = self._mode

    def __exit__(self, *exc):
        _State.enabled = self._prev
        return False

    def __call__(self, func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with self.__class__():
                return func(*args, **kwargs)

        return wrapper

    def clone(self):
        return self.__class__()


class no_grad(_GradModeContext):
    """Disable graph recording inside the block (or the decorated function).

    Example:
        >>> import ember
        >>> x = ember.ones(2, requires_grad=True)
        >>> with ember.no_grad():
        ...     y = x * 2
        >>> y.requires_grad
        False
    """

    _mode = False

    def __init__(self, orig_func=None):
        # torch allows both ``@no_grad`` and ``@no_grad()``.
        self._func = orig_func

    def __new__(cls, orig_func=None):
        self = super().__new__(cls)
        if orig_func is not None and callable(orig_func):
            self.__init__()
            return self(orig_func)
        return self


class enable_grad(no_grad):
    """Enables graph recording inside the block (or the decorated function), even within
    ``no_grad``.

    Example:
        >>> import ember
        >>> x = ember.ones(2, requires_grad=True)
        >>> with ember.no_grad():
        ...     with ember.enable_grad():
        ...         y = x * 2
        >>> y.requires_grad
        True
    """

    _mode = True


class set_grad_enabled(_GradModeContext):
    """Set recording on or off; acts immediately as a function, and as a context manager."""

    def __init__(self, mode):
        self._prev = _State.enabled
        self._mode = bool(mode)
        _State.enabled = self._mode

    def __enter__(self):
        pass

    def __exit__(self, *exc):
        _State.enabled = self._prev
        return False

    def __call__(self, func):
        _State.enabled = self._prev
        mode = self._mode

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with set_grad_enabled(mode):
                return func(*args, **kwargs)

        return wrapper

    def clone(self):
        return self.__class__(self._mode)


class inference_mode(_GradModeContext):
    """Like ``no_grad`` (ember keeps no extra inference state; tensors behave as under no_grad)."""

    def __init__(self, mode=True):
        self._mode = not mode
        self._inference = bool(mode)

    def __new__(cls, mode=True):
        self = super().__new__(cls)
        if callable(mode) and not isinstance(mode, bool):
            self.__init__(True)
            return self(mode)
        return self

    def __enter__(self):
        self._prev = _State.enabled
        self._prev_inf = _State.inference
        _State.enabled = self._mode
        _State.inference = self._inference

    def __exit__(self, *exc):
        _State.enabled = self._prev
        _State.inference = self._prev_inf
        return False

    def __call__(self, func):
        inf = self._inference

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with inference_mode(inf):
                return func(*args, **kwargs)

        return wrapper


class set_detect_anomaly:
    """Turn anomaly detection on or off: backward then names the op whose backward made NaN."""

    def __init__(self, mode, check_nan=True):
        self._prev = _State.anomaly
        _State.anomaly = bool(mode)

    def __enter__(self):
        pass

    def __exit__(self, *exc):
        _State.anomaly = self._prev
        return False


class detect_anomaly:
    """Context manager / decorator enabling anomaly detection inside it."""

    def __init__(self, check_nan=True):
        pass

    def __enter__(self):
        self._prev = _State.anomaly
        _State.anomaly = True

    def __exit__(self, *exc):
        _State.anomaly = self._prev
        return False

    def __call__(self, func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with detect_anomaly():
                return func(*args, **kwargs)

        return wrapper


def is_anomaly_enabled():
    return _State.anomaly


def is_multithreading_enabled():
    """Whether backward may run on worker threads (see ``set_multithreading_enabled``)."""
    return _State.multithreading


class set_multithreading_enabled:
    """Allow or forbid backward on worker threads; acts at once, and restores the previous
    setting as a context manager. torch uses such threads per accelerator device; ember's
    backward always runs on the calling thread, so only the setting is kept."""

    def __init__(self, mode):
        self._prev = _State.multithreading
        self.mode = mode
        _State.multithreading = bool(mode)

    def __enter__(self):
        pass

    def __exit__(self, *exc):
        _State.multithreading = self._prev
        return False

    def clone(self):
        return self.__class__(self.mode)
