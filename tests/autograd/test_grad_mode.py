"""no_grad, enable_grad, set_grad_enabled and inference_mode as context managers and decorators
(``@no_grad`` and ``@no_grad()``), nested, against torch."""
import pytest
import torch

import ember


def _state(lib):
    x = lib.ones(2, requires_grad=True)
    return lib.is_grad_enabled(), (x * 2).requires_grad


def _both(body):
    """Run ``body(lib)`` with ember and torch; the recorded states must agree."""
    assert body(ember) == body(torch)


def test_no_grad_context():
    def body(lib):
        out = [_state(lib)]
        with lib.no_grad():
            out.append(_state(lib))
        out.append(_state(lib))
        return out

    _both(body)


def test_enable_grad_inside_no_grad_and_nesting():
    def body(lib):
        out = []
        with lib.no_grad():
            out.append(_state(lib))
            with lib.enable_grad():
                out.append(_state(lib))
                with lib.no_grad():
                    out.append(_state(lib))
                out.append(_state(lib))
            out.append(_state(lib))
        out.append(_state(lib))
        return out

    _both(body)


def test_set_grad_enabled_as_function_and_context():
    def body(lib):
        out = []
        with lib.set_grad_enabled(False):
            out.append(_state(lib))
            with lib.set_grad_enabled(True):
                out.append(_state(lib))
            out.append(_state(lib))
        out.append(_state(lib))
        lib.set_grad_enabled(False)
        out.append(_state(lib))
        lib.set_grad_enabled(True)
        out.append(_state(lib))
        return out

    _both(body)


def test_decorators_with_and_without_parentheses():
    def body(lib):
        @lib.no_grad
        def plain():
            return _state(lib)

        @lib.no_grad()
        def called():
            return _state(lib)

        @lib.enable_grad()
        def enabled():
            return _state(lib)

        @lib.set_grad_enabled(False)
        def disabled():
            return _state(lib)

        @lib.inference_mode()
        def inference():
            return _state(lib), lib.is_inference_mode_enabled()

        @lib.inference_mode
        def inference_plain():
            return _state(lib), lib.is_inference_mode_enabled()

        out = [plain(), called(), disabled(), inference(), inference_plain(), _state(lib)]
        with lib.no_grad():
            out.append(enabled())
        out.append(plain.__name__)
        return out

    _both(body)


def test_decorated_function_keeps_return_value_and_exceptions_restore_state():
    @ember.no_grad()
    def boom():
        raise ValueError("x")

    with pytest.raises(ValueError):
        boom()
    assert ember.is_grad_enabled()
    with pytest.raises(KeyError):
        with ember.no_grad():
            raise KeyError
    assert ember.is_grad_enabled()


def test_inference_mode_context_and_flag():
    def body(lib):
        out = [lib.is_inference_mode_enabled()]
        with lib.inference_mode():
            out.append((_state(lib), lib.is_inference_mode_enabled()))
            with lib.inference_mode(False):
                out.append((_state(lib), lib.is_inference_mode_enabled()))
        with lib.inference_mode(False):
            out.append((_state(lib), lib.is_inference_mode_enabled()))
        out.append(lib.is_inference_mode_enabled())
        return out

    _both(body)


def test_autograd_namespace_exposes_the_modes():
    for name in ("no_grad", "enable_grad", "set_grad_enabled", "inference_mode"):
        assert getattr(ember.autograd, name) is getattr(ember, name)
    assert ember.autograd.grad_mode.no_grad is ember.no_grad


def test_no_grad_on_generator_functions_and_methods():
    class Model:
        @ember.no_grad()
        def forward(self, x):
            return x * 2

    x = ember.ones(1, requires_grad=True)
    assert not Model().forward(x).requires_grad
    assert (x * 2).requires_grad


def test_grad_mode_is_reset_by_set_grad_enabled_exit():
    with ember.no_grad():
        with ember.set_grad_enabled(True):
            assert ember.is_grad_enabled()
        assert not ember.is_grad_enabled()
    assert ember.is_grad_enabled()
