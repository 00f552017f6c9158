"""``gradcheck`` and ``gradgradcheck``: compare autograd with central finite differences.

Inputs should be float64 (or complex128) for the comparison to be meaningful, as in torch.
A function of complex tensors is checked as the real function of their real and imaginary
parts (each complex input split in two, each complex output viewed as real): under torch's
convention the gradient of a complex input ``z`` is ``dL/dx + i dL/dy``, so the two agree
exactly when ember's complex gradients are right.
"""
from ember._backend import np
from ember._tensor import Tensor, _make


class GradcheckError(RuntimeError):
    """Raised by gradcheck when analytical and numerical gradients disagree."""


def _as_tuple(x):
    if isinstance(x, Tensor):
        return (x,)
    return tuple(x)


def _outputs(func, inputs):
    out = func(*inputs)
    return _as_tuple(out) if isinstance(out, (Tensor, tuple, list)) else (out,)


def _realified(func, inputs):
    """``func`` as a function of real tensors only: complex inputs arrive as (real, imaginary)
    pairs and complex outputs leave as ``view_as_real``; None when nothing is complex."""
    from ember.ops.complex import complex as make_complex, resolve_conj, view_as_real

    is_complex = [isinstance(x, Tensor) and x._data.dtype.kind == "c" for x in inputs]
    outs = _outputs(func, inputs)
    if not any(is_complex) and not any(isinstance(o, Tensor) and o._data.dtype.kind == "c"
                                       for o in outs):
        return None
    parts = []
    for x, c in zip(inputs, is_complex):
        if not c:
            parts.append(x)
            continue
        for half in (x._data.real, x._data.imag):
            parts.append(_make(half.copy(), x._requires_grad))

    def real_func(*xs):
        it = iter(xs)
        args = [make_complex(next(it), next(it)) if c else next(it) for c in is_complex]
        return tuple(view_as_real(resolve_conj(o))
                     if isinstance(o, Tensor) and o._data.dtype.kind == "c" else o
                     for o in _outputs(func, args))

    return real_func, tuple(parts)


def _numerical_jacobian(func, inputs, idx, eps):
    """d(all outputs, flattened)/d(inputs[idx], flattened), by central differences."""
    x = inputs[idx]
    flat = x._data.reshape(-1)
    if not np.shares_memory(flat, x._data) and flat.size:
        raise ValueError("gradcheck needs contiguous inputs")
    base = [o._data.copy() for o in _outputs(func, inputs) if isinstance(o, Tensor)]
    cols = []
    for k in range(flat.size):
        orig = flat[k]
        flat[k] = orig + eps
        plus = [o._data.copy() for o in _outputs(func, inputs) if isinstance(o, Tensor)]
        flat[k] = orig - eps
        minus = [o._data.copy() for o in _outputs(func, inputs) if isinstance(o, Tensor)]
        flat[k] = orig
        cols.append(np.concatenate([((p - m) / (2 * eps)).reshape(-1).astype(np.float64)
                                    for p, m in zip(plus, minus)]) if plus else np.zeros(0))
    n_out = sum(b.size for b in base)
    if not cols:
        return np.zeros((n_out, 0))
    return np.stack(cols, axis=1)


def _analytical_jacobian(func, inputs, idx_list):
    from ember.autograd.engine import grad

    outs = [o for o in _outputs(func, inputs) if isinstance(o, Tensor)]
    n_out = sum(o._data.size for o in outs)
    jac = {i: np.zeros((n_out, inputs[i]._data.size)) for i in idx_list}
    row = 0
    diff_pos = [j for j, o in enumerate(outs) if o._requires_grad]
    diff_outs = [outs[j] for j in diff_pos]
    for j, o in enumerate(outs):
        for k in range(o._data.size):
            if not o._requires_grad:
                row += 1
                continue
            grad_outputs = []
            for j2 in diff_pos:
                g = np.zeros(outs[j2]._data.shape, outs[j2]._data.dtype)
                if j2 == j:
                    g.reshape(-1)[k] = 1
                grad_outputs.append(_make(g))
            gs = grad(diff_outs, [inputs[i] for i in idx_list], grad_outputs,
                      retain_graph=True, allow_unused=True)
            for i, g in zip(idx_list, gs):
                if g is not None:
                    jac[i][row] = g._data.reshape(-1)
            row += 1
    return jac


def gradcheck(func, inputs, *, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True,
              nondet_tol=0.0, check_undefined_grad=True, check_grad_dtypes=False,
              check_batched_grad=False, check_batched_forward_grad=False,
              check_forward_ad=False, check_backward_ad=True, fast_mode=False, masked=None):
    """True when autograd's gradients of ``func`` at ``inputs`` match finite differences.

    Like ``torch.autograd.gradcheck``: every floating input that requires grad is perturbed by
    ``eps``; a mismatch beyond ``atol + rtol * |numerical|`` raises GradcheckError (or returns
    False with ``raise_exception=False``).
    """
    inputs = _as_tuple(inputs)
    idx_list = [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x._requires_grad]
    if not idx_list:
        raise ValueError("gradcheck expects at least one input tensor to require gradient, but "
                         "none of the them have requires_grad=True.")
    for i in idx_list:
        if inputs[i]._data.dtype not in (np.float64, np.complex128):
            import warnings

            warnings.warn("Input #%d requires gradient and is not a double precision floating "
                          "point. This check will likely fail if all the inputs are not of "
                          "double precision floating point." % i)
    real = _realified(func, inputs)
    if real is not None:
        return gradcheck(real[0], real[1], eps=eps, atol=atol, rtol=rtol,
                         raise_exception=raise_exception)
    analytical = _analytical_jacobian(func, inputs, idx_list)
    for i in idx_list:
        numerical = _numerical_jacobian(func, inputs, i, eps)
        a = analytical[i]
        if a.shape != numerical.shape or not np.allclose(a, numerical, rtol=rtol, atol=atol):
            if not raise_exception:
                return False
            raise GradcheckError(
                "Jacobian mismatch for output 0 with respect to input %d,\nnumerical:%s\n"
                "analytical:%s\n" % (i, numerical, a))
    return True


def gradgradcheck(func, inputs, grad_outputs=None, *, eps=1e-6, atol=1e-5, rtol=1e-3,
                  gen_non_contig_grad_outputs=False, raise_exception=True, nondet_tol=0.0,
                  check_undefined_grad=True, check_grad_dtypes=False, check_batched_grad=False,
                  check_fwd_over_rev=False, check_rev_over_rev=True, fast_mode=False,
                  masked=False):
    """gradcheck of the gradient: second derivatives through ``create_graph=True``."""
    from ember.autograd.engine import grad

    inputs = _as_tuple(inputs)
    outs = [o for o in _outputs(func, inputs) if isinstance(o, Tensor) and o._requires_grad]
    if grad_outputs is None:
        rng = np.random.default_rng(0)
        grad_outputs = tuple(_make(_random(rng, o._data.shape, o._data.dtype)) for o in outs)
        for g in grad_outputs:
            g.requires_grad_(True)
    grad_outputs = _as_tuple(grad_outputs)
    n_in = len(inputs)
    diff_idx = [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x._requires_grad]

    def first_grad(*args):
        ins, gos = args[:n_in], args[n_in:]
        outputs = [o for o in _outputs(func, ins) if isinstance(o, Tensor) and o._requires_grad]
        gs = grad(outputs, [ins[i] for i in diff_idx], gos, create_graph=True, allow_unused=True)
        return tuple(g for g in gs if g is not None and g._requires_grad)

    return gradcheck(first_grad, inputs + grad_outputs, eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception)


def _random(rng, shape, dtype):
    """Standard normal values of ``dtype`` (both parts random for complex dtypes)."""
    values = rng.standard_normal(shape)
    if np.dtype(dtype).kind == "c":
        values = values + 1j * rng.standard_normal(shape)
    return values.astype(dtype)
