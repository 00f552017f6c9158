"""``torch.autograd.functional``: Jacobians, Hessians and vector products of a function.

Everything is computed with reverse mode (``autograd.grad``); forward-mode products (``jvp``,
``hvp``) use the double-backward trick: the vjp is linear in its cotangent ``u``, so
differentiating it with respect to ``u`` in the direction ``v`` gives ``J v``. This works
because every ember backward is written with ember ops.
"""
from ember._tensor import Tensor
from ember.autograd.engine import grad as _grad
from ember.autograd.grad_mode import enable_grad, is_grad_enabled, set_grad_enabled

__all__ = ["vjp", "jvp", "jacobian", "hessian", "hvp", "vhp"]


def _as_tuple(inp, arg_name, fn_name):
    """``(was_tuple, inp as a tuple)``, checking that every entry is a Tensor."""
    is_tuple = isinstance(inp, tuple)
    tup = inp if is_tuple else (inp,)
    for i, el in enumerate(tup):
        if not isinstance(el, Tensor):
            where = ("value at index %d" % i) if is_tuple else ("given %s" % arg_name)
            raise TypeError("The %s given to %s must be either a Tensor or a tuple of Tensors but "
                            "the %s has type %s." % (arg_name, fn_name, where, type(el)))
    return is_tuple, tup


def _unpack(res, was_tuple):
    """Undo ``_as_tuple``; ``was_tuple`` may be a pair for a doubly nested result."""
    if isinstance(was_tuple, tuple):
        outer, inner = was_tuple
        if not inner:
            res = tuple(el[0] for el in res)
        return res if outer else res[0]
    return res if was_tuple else res[0]


def _prepare(inputs, create_graph, need_graph):
    """Inputs the function sees: fresh leaves, or aliases that keep the outer graph."""
    res = []
    for inp in inputs:
        if create_graph and inp.requires_grad:
            res.append(inp.view_as(inp))
        else:
            res.append(inp.detach().requires_grad_(need_graph))
    return tuple(res)


def _finish(res, create_graph):
    if isinstance(res, Tensor):
        return res if create_graph else res.detach()
    return tuple(_finish(r, create_graph) for r in res)


def _validate_v(v, other, other_is_tuple):
    if len(v) != len(other):
        if other_is_tuple:
            raise RuntimeError("v is a tuple of invalid length: should be %d but got %d."
                               % (len(other), len(v)))
        raise RuntimeError("The given v should contain a single Tensor.")
    for i, (el_v, el_o) in enumerate(zip(v, other)):
        if el_v.size() != el_o.size():
            raise RuntimeError("%sv has invalid size: should be %s but got %s." % (
                "Entry %d in " % i if other_is_tuple else "", el_o.size(), el_v.size()))


def _check_requires_grad(tensors, kind, strict):
    if not strict:
        return
    for i, t in enumerate(tensors):
        if t is None:
            raise RuntimeError("The output of the user-provided function is independent of "
                               "input %d. This is not allowed in strict mode." % i)
        if t.requires_grad:
            continue
        if kind == "hessian":
            raise RuntimeError(
                "The hessian of the user-provided function with respect to input %d is "
                "independent of the input. This is not allowed in strict mode. You should ensure "
                "that your function is thrice differentiable and that the hessian depends on the "
                "inputs." % i)
        if kind == "jacobian":
            raise RuntimeError(
                "While computing the hessian, found that the jacobian of the user-provided "
                "function with respect to input %d is independent of the input. This is not "
                "allowed in strict mode. You should ensure that your function is twice "
                "differentiable and that the jacobian depends on the inputs (this would be "
                "violated by a linear function for example)." % i)
        if kind == "grad_inputs":
            raise RuntimeError(
                "The gradient with respect to input %d is independent of the inputs of the "
                "user-provided function. This is not allowed in strict mode." % i)
        raise RuntimeError(
            "Output %d of the user-provided function does not require gradients. The outputs "
            "must be computed in a differentiable manner from the input when running in strict "
            "mode." % i)


def _autograd_grad(outputs, inputs, grad_outputs=None, create_graph=False, retain_graph=None):
    """``autograd.grad`` that skips outputs outside the graph and allows unused inputs."""
    if grad_outputs is None:
        grad_outputs = (None,) * len(outputs)
    pairs = [(o, g) for o, g in zip(outputs, grad_outputs) if o is not None and o.requires_grad]
    if not pairs:
        return (None,) * len(inputs)
    outs, gouts = zip(*pairs)
    return _grad(outs, inputs, gouts, retain_graph=retain_graph, create_graph=create_graph,
                 allow_unused=True)


_ZERO_MESSAGES = {
    "back": "The output of the user-provided function is independent of input %d. This is not "
            "allowed in strict mode.",
    "back_trick": "The gradient with respect to the input is independent of entry %d in the "
                  "grad_outputs when using the double backward trick to compute forward mode "
                  "gradients. This is not allowed in strict mode.",
    "double_back": "The jacobian of the user-provided function is independent of input %d. This "
                   "is not allowed in strict mode.",
    "double_back_trick": "The hessian of the user-provided function is independent of entry %d "
                         "in the grad_jacobian. This is not allowed in strict mode as it prevents "
                         "from using the double backward trick to replace forward mode AD.",
}


def _fill_in_zeros(grads, refs, strict, create_graph, stage):
    """Missing gradients become zeros shaped like ``refs`` (or strict mode's error)."""
    res = []
    for i, (g, ref) in enumerate(zip(grads, refs)):
        if g is None:
            if strict:
                raise RuntimeError(_ZERO_MESSAGES[stage] % i)
            from ember.ops.creation import zeros_like

            g = zeros_like(ref)
        elif strict and create_graph and not g.requires_grad:
            what = "hessian" if "double" in stage else "jacobian"
            raise RuntimeError("The %s of the user-provided function is independent of input %d. "
                               "This is not allowed in strict mode when create_graph=True."
                               % (what, i))
        res.append(g)
    return tuple(res)


def _call(func, inputs, fn_name, strict):
    outputs = func(*inputs)
    is_tuple, outputs = _as_tuple(outputs, "outputs of the user-provided function", fn_name)
    _check_requires_grad(outputs, "outputs", strict)
    return is_tuple, outputs


def _check_v(v, refs, refs_is_tuple, fn_name, create_graph, what):
    if v is not None:
        _, v = _as_tuple(v, "v", fn_name)
        v = _prepare(v, create_graph, need_graph=False)
        _validate_v(v, refs, refs_is_tuple)
        return v
    if len(refs) != 1 or refs[0].numel() != 1:
        raise RuntimeError("The vector v can only be None if %s a single Tensor with a single "
                           "element." % what)
    return None


def _check_scalar_output(outputs, is_tuple, fn_name):
    if is_tuple:
        raise RuntimeError("The function given to %s should return a single Tensor" % fn_name)
    if outputs[0].numel() != 1:
        raise RuntimeError("The Tensor returned by the function given to %s should contain a "
                           "single element" % fn_name)


def vjp(func, inputs, v=None, create_graph=False, strict=False):
    """The function's output and the vector-Jacobian product ``v^T J`` at ``inputs``.

    Args:
        func: a function of Tensors returning a Tensor or a tuple of Tensors.
        inputs: a Tensor or a tuple of Tensors.
        v: the vector (shaped like the output); may be omitted for a one-element output.
        create_graph: make the result differentiable.
        strict: raise when an output does not depend on an input.

    Example::

        >>> import ember
        >>> out, g = ember.autograd.functional.vjp(lambda x: x ** 2, ember.tensor([1., 2.]),
        ...                                        ember.tensor([1., 1.]))
        >>> g
        tensor([2., 4.])
    """
    with enable_grad():
        in_tuple, inputs = _as_tuple(inputs, "inputs", "vjp")
        inputs = _prepare(inputs, create_graph, need_graph=True)
        out_tuple, outputs = _call(func, inputs, "vjp", strict)
        v = _check_v(v, outputs, out_tuple, "vjp", create_graph,
                     "the user-provided function returns")
        with set_grad_enabled(create_graph or is_grad_enabled()):
            grads = _autograd_grad(outputs, inputs, v, create_graph=create_graph)
            res = _fill_in_zeros(grads, inputs, strict, create_graph, "back")
    return _unpack(_finish(outputs, create_graph), out_tuple), _unpack(_finish(res, create_graph),
                                                                      in_tuple)


def jvp(func, inputs, v=None, create_graph=False, strict=False):
    """The function's output and the Jacobian-vector product ``J v`` (double-backward trick).

    Example::

        >>> import ember
        >>> out, jv = ember.autograd.functional.jvp(lambda x: x ** 2, ember.tensor([1., 2.]),
        ...                                         ember.tensor([1., 0.]))
        >>> jv
        tensor([2., 0.])
    """
    from ember.ops.creation import zeros_like

    with enable_grad():
        in_tuple, inputs = _as_tuple(inputs, "inputs", "jvp")
        inputs = _prepare(inputs, create_graph, need_graph=True)
        v = _check_v(v, inputs, in_tuple, "jvp", create_graph,
                     "the input to the user-provided function is")
        out_tuple, outputs = _call(func, inputs, "jvp", strict)
        u = tuple(zeros_like(o).requires_grad_(True) for o in outputs)
        grad_inputs = _autograd_grad(outputs, inputs, u, create_graph=True)
        _check_requires_grad(grad_inputs, "grad_inputs", strict)
        with set_grad_enabled(create_graph):
            grads = _autograd_grad(grad_inputs, u, v, create_graph=create_graph)
            res = _fill_in_zeros(grads, outputs, strict, create_graph, "back_trick")
    return _unpack(_finish(outputs, create_graph), out_tuple), _unpack(_finish(res, create_graph),
                                                                      out_tuple)


def _jacobian_rows(outputs, inputs, create_graph, strict):
    """``jac[i][j]``: d output i / d input j, shaped ``out_i.shape + in_j.shape``."""
    from ember.ops.creation import zeros, zeros_like
    from ember.ops.manipulation import stack

    jac = []
    for i, out in enumerate(outputs):
        rows = [[] for _ in inputs]
        n = out.numel()
        for k in range(n):
            onehot = zeros(n, dtype=out.dtype)
            onehot[k] = 1
            grads = _autograd_grad((out,), inputs, (onehot.view(out.shape),), retain_graph=True,
                                   create_graph=create_graph)
            for j, (g, inp) in enumerate(zip(grads, inputs)):
                if g is None:
                    if strict:
                        raise RuntimeError("Output %d of the user-provided function is independent "
                                           "of input %d. This is not allowed in strict mode."
                                           % (i, j))
                    g = zeros_like(inp)
                elif strict and create_graph and not g.requires_grad:
                    raise RuntimeError("The jacobian of the user-provided function is independent "
                                       "of input %d. This is not allowed in strict mode when "
                                       "create_graph=True." % i)
                rows[j].append(g)
        jac.append(tuple(
            stack(r).view(out.shape + inp.shape) if r else zeros(out.shape + inp.shape,
                                                                   dtype=inp.dtype)
            for r, inp in zip(rows, inputs)))
    return tuple(jac)


def jacobian(func, inputs, create_graph=False, strict=False, vectorize=False,
             strategy="reverse-mode"):
    """The Jacobian of ``func`` at ``inputs``, shaped ``output.shape + input.shape``.

    ``vectorize`` is accepted and changes nothing (rows are computed one vjp at a time);
    ``strategy="forward-mode"`` gives the same values (it needs ``vectorize=True``, as torch).

    Example::

        >>> import ember
        >>> ember.autograd.functional.jacobian(lambda x: x ** 2, ember.tensor([1., 2.]))
        tensor([[2., 0.],
                [0., 4.]])
    """
    if strategy not in ("forward-mode", "reverse-mode"):
        raise AssertionError('Expected strategy to be either "forward-mode" or "reverse-mode". '
                             'Hint: If your function has more outputs than inputs, "forward-mode" '
                             'tends to be more performant. Otherwise, prefer to use '
                             '"reverse-mode".')
    if strategy == "forward-mode":
        if create_graph:
            raise NotImplementedError(
                'torch.autograd.functional.jacobian: `create_graph=True` and `strategy="forward-'
                'mode"` are not supported together (yet). Please either set `create_graph=False` '
                'or `strategy="reverse-mode"`.')
        if strict:
            raise RuntimeError(
                'torch.autograd.functional.jacobian: `strict=True` and `strategy="forward-mode"` '
                'are not supported together (yet). Please either set `strict=False` or '
                '`strategy="reverse-mode"`.')
        if not vectorize:
            raise NotImplementedError("Computing Jacobian using forward-AD or forward-over-reverse "
                                      "Hessian isonly implemented for `vectorize=True`.")
    with enable_grad():
        in_tuple, inputs = _as_tuple(inputs, "inputs", "jacobian")
        inputs = _prepare(inputs, create_graph, need_graph=True)
        out_tuple, outputs = _call(func, inputs, "jacobian", strict)
        if vectorize and strict:
            raise RuntimeError("torch.autograd.functional.jacobian: `strict=True` and "
                               "`vectorized=True` are not supported together. Please either set "
                               "`strict=False` or `vectorize=False`.")
        jac = _jacobian_rows(outputs, inputs, create_graph, strict)
    return _unpack(_finish(jac, create_graph), (out_tuple, in_tuple))


def hessian(func, inputs, create_graph=False, strict=False, vectorize=False,
            outer_jacobian_strategy="reverse-mode"):
    """The Hessian of a scalar function, shaped ``input.shape + input.shape``.

    Example::

        >>> import ember
        >>> ember.autograd.functional.hessian(lambda x: (x ** 3).sum(), ember.tensor([1., 2.]))
        tensor([[ 6.,  0.],
                [ 0., 12.]])
    """
    if outer_jacobian_strategy not in ("forward-mode", "reverse-mode"):
        raise AssertionError('Expected strategy to be either "forward-mode" or "reverse-mode".')
    in_tuple, inputs = _as_tuple(inputs, "inputs", "hessian")

    def single_output(*inp):
        out_tuple, out = _call(func, inp, "hessian", strict)
        _check_scalar_output(out, out_tuple, "hessian")
        return out[0].squeeze()

    def jac_func(*inp):
        jac = jacobian(single_output, inp, create_graph=True)
        _check_requires_grad(jac, "hessian", strict)
        return jac

    res = jacobian(jac_func, inputs, create_graph=create_graph, strict=strict,
                   vectorize=vectorize, strategy=outer_jacobian_strategy)
    return _unpack(res, (in_tuple, in_tuple))


def _hessian_products(func, inputs, v, create_graph, strict, fn_name):
    in_tuple, inputs = _as_tuple(inputs, "inputs", fn_name)
    inputs = _prepare(inputs, create_graph, need_graph=True)
    v = _check_v(v, inputs, in_tuple, fn_name, create_graph,
                 "the input to the user-provided function is")
    out_tuple, outputs = _call(func, inputs, fn_name, strict)
    _check_scalar_output(outputs, out_tuple, fn_name)
    jac = _autograd_grad(outputs, inputs, create_graph=True)
    _check_requires_grad(jac, "jacobian", strict)
    return in_tuple, inputs, v, outputs, jac


def vhp(func, inputs, v=None, create_graph=False, strict=False):
    """The function's value and the vector-Hessian product ``v^T H`` of a scalar function.

    Example::

        >>> import ember
        >>> ember.autograd.functional.vhp(lambda x: (x ** 3).sum(), ember.tensor([1., 2.]),
        ...                               ember.tensor([1., 1.]))[1]
        tensor([ 6., 12.])
    """
    with enable_grad():
        in_tuple, inputs, v, outputs, jac = _hessian_products(func, inputs, v, create_graph,
                                                              strict, "vhp")
        with set_grad_enabled(create_graph):
            grads = _autograd_grad(jac, inputs, v, create_graph=create_graph)
            res = _fill_in_zeros(grads, inputs, strict, create_graph, "double_back")
    return _finish(outputs[0], create_graph), _unpack(_finish(res, create_graph), in_tuple)


def hvp(func, inputs, v=None, create_graph=False, strict=False):
    """The function's value and the Hessian-vector product ``H v`` (double-backward trick).

    Example::

        >>> import ember
        >>> ember.autograd.functional.hvp(lambda x: (x ** 3).sum(), ember.tensor([1., 2.]),
        ...                               ember.tensor([1., 0.]))[1]
        tensor([6., 0.])
    """
    from ember.ops.creation import zeros_like

    with enable_grad():
        in_tuple, inputs, v, outputs, jac = _hessian_products(func, inputs, v, create_graph,
                                                              strict, "hvp")
        grad_jac = tuple(zeros_like(inp).requires_grad_(True) for inp in inputs)
        double_back = _autograd_grad(jac, inputs, grad_jac, create_graph=True)
        _check_requires_grad(jac, "hessian", strict)
        with set_grad_enabled(create_graph):
            grads = _autograd_grad(double_back, grad_jac, v, create_graph=create_graph)
            res = _fill_in_zeros(grads, inputs, strict, create_graph, "double_back_trick")
    return _finish(outputs[0], create_graph), _unpack(_finish(res, create_graph), in_tuple)
