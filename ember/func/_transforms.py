"""``torch.func``'s autodiff transforms: grad, grad_and_value, vjp, jvp, jacrev, jacfwd, hessian.

Each transform runs the function on lifted copies of the differentiated arguments and asks
``autograd.grad`` for the derivatives. Inside another transform (or when an argument already
carries a graph) the derivatives are built with ``create_graph=True``, so transforms nest
(``jacfwd(jacrev(f))``, ``grad(grad(f))``). Forward mode (``jvp``, ``jacfwd``) is the
double-vjp: the vjp ``u -> u^T J`` is linear in ``u``, and its vjp in direction ``t`` is ``J t``.
"""
import functools

from ember._tensor import Tensor
from ember.autograd.engine import grad as _autograd_grad
from ember.autograd.grad_mode import enable_grad
from ember.func import _batching
from ember.func._pytree import tree_flatten, tree_unflatten


class _Level:
    """How many func transforms are active around the current call."""

    depth = 0


def _nested(leaves):
    return _Level.depth > 0 or any(isinstance(t, Tensor) and t.requires_grad for t in leaves)


def _lift(t, levels):
    """A differentiable copy of ``t`` and its unbatched leaf. Under vmap the copy is batched at
    every active level (an unbatched argument is expanded), so its gradient is per sample."""
    if not isinstance(t, Tensor):
        raise ValueError("Expected the differentiated arguments to be Tensors (or containers of "
                         "Tensors), got %s" % type(t).__name__)
    plain = _batching.to_plain(_batching.expand_levels(t, levels)) if levels else t
    leaf = plain.view_as(plain) if plain.requires_grad else plain.detach().requires_grad_(True)
    return _batching.from_plain(leaf, levels), leaf


def _plain_pairs(outputs, grad_outputs):
    """Outputs and their grad_outputs as unbatched tensors, batched alike (vmap's autograd runs
    on the physical tensors)."""
    outs, gouts = [], []
    for o, g in zip(outputs, grad_outputs):
        levels = set(_batching.structure(o))
        if g is not None:
            levels |= set(_batching.structure(g))
            g = _batching.to_plain(_batching.expand_levels(g, sorted(levels)))
        o = _batching.to_plain(_batching.expand_levels(o, sorted(levels)))
        if g is None and levels:
            from ember.ops.creation import ones_like

            g = ones_like(o)
        outs.append(o)
        gouts.append(g)
    return outs, gouts


def _check_argnums(argnums, nargs):
    if isinstance(argnums, int):
        nums = (argnums,)
    elif isinstance(argnums, tuple) and all(isinstance(a, int) for a in argnums):
        if not argnums:
            raise RuntimeError("argnums must be non-empty")
        if len(set(argnums)) != len(argnums):
            raise RuntimeError("argnums elements must be unique, got %s" % (argnums,))
        nums = argnums
    else:
        raise RuntimeError("argnums must be int or Tuple[int, ...], got: %s" % type(argnums))
    for a in nums:
        if not -nargs <= a < nargs:
            raise RuntimeError("Got argnum=%d, but only %d positional inputs" % (a, nargs))
    return tuple(a % nargs for a in nums)


class _Call:
    """One run of ``func`` on lifted arguments: the lifted leaves, the output and its aux."""

    def __init__(self, func, args, kwargs, argnums, has_aux, name):
        nums = _check_argnums(argnums, len(args))
        self.diff = args[argnums] if isinstance(argnums, int) else tuple(args[a] for a in nums)
        leaves, self.spec = tree_flatten(self.diff)
        self.nested = _nested(leaves)
        self.levels = _batching.active_levels()
        lifted = [_lift(t, self.levels) for t in leaves]
        self.leaves = [t for t, _ in lifted]
        self.plain_leaves = [leaf for _, leaf in lifted]
        lifted = tree_unflatten(self.leaves, self.spec)
        new_args = list(args)
        if isinstance(argnums, int):
            new_args[nums[0]] = lifted
        else:
            for a, v in zip(nums, lifted):
                new_args[a] = v
        _Level.depth += 1
        try:
            with enable_grad():
                out = func(*new_args, **kwargs)
        finally:
            _Level.depth -= 1
        self.aux = None
        if has_aux:
            if not (isinstance(out, tuple) and len(out) == 2):
                raise RuntimeError("%s(f, ...)(*args): output of function f should be a tuple: "
                                   "(output, aux) if has_aux is True" % name)
            out, self.aux = out
        self.out = out

    def grads(self, outputs, grad_outputs):
        """d outputs / d leaves (zeros where unused), as a tree shaped like the arguments."""
        from ember.ops.creation import zeros_like

        pairs = [(o, g) for o, g in zip(outputs, grad_outputs) if o.requires_grad]
        if pairs:
            outs, gouts = _plain_pairs(*zip(*pairs))
            with enable_grad():
                res = _autograd_grad(outs, self.plain_leaves, gouts, retain_graph=True,
                                     create_graph=self.nested, allow_unused=True)
        else:
            res = (None,) * len(self.leaves)
        res = [_batching.from_plain(zeros_like(x) if g is None else g, self.levels)
               for g, x in zip(res, self.plain_leaves)]
        return tree_unflatten(res, self.spec)

    def finish(self, tree):
        if self.nested:
            return tree
        leaves, spec = tree_flatten(tree)
        return tree_unflatten([t.detach() if isinstance(t, Tensor) else t for t in leaves], spec)


def grad_and_value(func, argnums=0, has_aux=False):
    """A function returning ``(grad, value)`` of the scalar-valued ``func`` (``torch.func``).

    With ``has_aux=True``, ``func`` returns ``(value, aux)`` and the result is
    ``(grad, (value, aux))``.

    Example::

        >>> import ember
        >>> g, v = ember.func.grad_and_value(lambda x: (x ** 2).sum())(ember.tensor([1., 2.]))
        >>> g, v
        (tensor([2., 4.]), tensor(5.))
    """
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        call = _Call(func, args, kwargs, argnums, has_aux, "grad_and_value")
        out = call.out
        if not isinstance(out, Tensor):
            raise RuntimeError("grad_and_value(f)(*args): Expected f(*args) to return a Tensor, "
                               "got %s" % type(out))
        if out.dim() != 0:
            raise RuntimeError("grad_and_value(f)(*args): Expected f(*args) to return a scalar "
                               "Tensor, got tensor with %d dims. Maybe you wanted to use the vjp "
                               "or jacrev APIs instead?" % out.dim())
        g = call.grads([out], [None])
        value = call.finish(out)
        if has_aux:
            return call.finish(g), (value, call.finish(call.aux))
        return call.finish(g), value

    return wrapper


def grad(func, argnums=0, has_aux=False):
    """The gradient of the scalar-valued ``func`` with respect to ``args[argnums]``.

    ``argnums`` may be a tuple (a tuple of gradients comes back); the differentiated arguments
    may be containers of tensors (a dict of parameters gives a dict of gradients).

    Example::

        >>> import ember
        >>> ember.func.grad(lambda x: x.sin().sum())(ember.tensor([0.]))
        tensor([1.])
    """
    gv = grad_and_value(func, argnums, has_aux)

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        g, value = gv(*args, **kwargs)
        return (g, value[1]) if has_aux else g

    return wrapper


def vjp(func, *primals, has_aux=False):
    """``(output, vjp_fn)``: ``vjp_fn(cotangents)`` returns one gradient per primal (a tuple).

    Example::

        >>> import ember
        >>> out, fn = ember.func.vjp(lambda x: x ** 2, ember.tensor([1., 3.]))
        >>> fn(ember.ones(2))
        (tensor([2., 6.]),)
    """
    call = _Call(func, primals, {}, tuple(range(len(primals))) if primals else 0, has_aux, "vjp")
    out_leaves = tree_flatten(call.out)[0]
    for o in out_leaves:
        if not isinstance(o, Tensor):
            raise RuntimeError("vjp(f, *primals): Expected f to be a function that has only "
                               "Tensors as outputs, got %s" % type(o))

    def vjp_fn(cotangents, retain_graph=True, create_graph=None):
        ct_leaves = tree_flatten(cotangents)[0]
        if len(ct_leaves) != len(out_leaves):
            raise RuntimeError("Expected pytree structure of cotangents to be the same as "
                               "pytree structure of outputs to the function")
        for o, c in zip(out_leaves, ct_leaves):
            if o.shape != c.shape:
                raise RuntimeError("Mismatch in shape: grad_output has a shape of %s and output "
                                   "has a shape of %s." % (c.shape, o.shape))
        return call.finish(call.grads(out_leaves, ct_leaves))

    res = (call.finish(call.out), vjp_fn)
    return res + (call.finish(call.aux),) if has_aux else res


def _forward_products(call, tangent_leaves_list):
    """``J t`` for each list of tangent leaves (one per lifted leaf), as output-shaped trees."""
    from ember.ops.creation import zeros_like

    out_leaves, out_spec = tree_flatten(call.out)
    live = [o for o in out_leaves if o.requires_grad]
    live_plain = _plain_pairs(live, [None] * len(live))[0]
    with enable_grad():
        us = [zeros_like(o).requires_grad_(True) for o in live_plain]
        if live:
            vj = _autograd_grad(live_plain, call.plain_leaves, us, create_graph=True,
                                allow_unused=True)
        else:
            vj = (None,) * len(call.leaves)
    pairs = [(g, i) for i, g in enumerate(vj) if g is not None and g.requires_grad]
    results = []
    for tangents in tangent_leaves_list:
        if pairs and us:
            ts = [_batching.to_plain(_batching.expand_levels(tangents[i], call.levels))
                  for _, i in pairs]
            with enable_grad():
                jt = _autograd_grad([g for g, _ in pairs], us, ts, retain_graph=True,
                                    create_graph=call.nested, allow_unused=True)
        else:
            jt = (None,) * len(us)
        it = iter(zip(jt, live_plain, live))
        leaves = []
        for o in out_leaves:
            j, plain, _ = next(it) if o.requires_grad else (None, None, None)
            if j is None:
                leaves.append(zeros_like(o))
            else:
                leaves.append(_batching.from_plain(j, _batching.structure(o)))
        results.append(tree_unflatten(leaves, out_spec))
    return results


def jvp(func, primals, tangents, *, strict=False, has_aux=False):
    """``(output, jvp_out)``: the Jacobian of ``func`` at ``primals`` applied to ``tangents``.

    Example::

        >>> import ember
        >>> ember.func.jvp(lambda x: x ** 2, (ember.tensor([1., 3.]),), (ember.ones(2),))[1]
        tensor([2., 6.])
    """
    if not isinstance(primals, tuple):
        raise RuntimeError("jvp(f, primals, tangents): Expected primals to be a tuple. E.g. it "
                           "should be valid to call f(*primals).")
    if not isinstance(tangents, tuple):
        raise RuntimeError("jvp(f, primals, tangents): Expected tangents to be a tuple. E.g. it "
                           "should be valid to call f(*primals).")
    p_leaves, p_spec = tree_flatten(primals)
    t_leaves, t_spec = tree_flatten(tangents)
    if p_spec != t_spec:
        raise RuntimeError("jvp(f, primals, tangents): Expected primals and tangents to have the "
                           "same python structure.")
    for p, t in zip(p_leaves, t_leaves):
        if p.shape != t.shape:
            raise RuntimeError("jvp(f, primals, tangents): Expected primals and tangents to have "
                               "the same shape")
    call = _Call(func, primals, {}, tuple(range(len(primals))), has_aux, "jvp")
    (jt,) = _forward_products(call, [t_leaves])
    res = (call.finish(call.out), call.finish(jt))
    return res + (call.finish(call.aux),) if has_aux else res


def linearize(func, *primals):
    """``(output, jvp_fn)`` with ``jvp_fn(*tangents)`` the Jacobian-vector product at primals."""
    call = _Call(func, primals, {}, tuple(range(len(primals))), False, "linearize")

    def jvp_fn(*tangents):
        t_leaves, _ = tree_flatten(tangents)
        return call.finish(_forward_products(call, [t_leaves])[0])

    return call.finish(call.out), jvp_fn


def _basis(leaves):
    """One-hot tangents: for each leaf and each of its elements, a full list of tangents."""
    from ember.ops.creation import zeros, zeros_like

    for j, leaf in enumerate(leaves):
        n = leaf.numel()
        for k in range(n):
            flat = zeros(n, dtype=leaf.dtype)
            flat[k] = 1
            yield [flat.view(leaf.shape) if i == j else zeros_like(x)
                   for i, x in enumerate(leaves)]


def _assemble(call, blocks, out_leaves, out_spec, argnums, forward):
    """Jacobian tree: output structure outside, argument structure inside."""
    from ember.ops.manipulation import stack

    per_out = []
    for oi, o in enumerate(out_leaves):
        per_in = []
        for ii, leaf in enumerate(call.leaves):
            rows = blocks[oi][ii]
            if forward:
                j = stack(rows, dim=-1).reshape(o.shape + leaf.shape) if rows else None
            else:
                j = stack(rows).reshape(o.shape + leaf.shape) if rows else None
            if j is None:
                from ember.ops.creation import zeros

                j = zeros(o.shape + leaf.shape, dtype=leaf.dtype)
            per_in.append(j)
        per_out.append(tree_unflatten(per_in, call.spec))
    return call.finish(tree_unflatten(per_out, out_spec))


def _jac_wrapper(func, argnums, has_aux, name, forward):
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        call = _Call(func, args, kwargs, argnums, has_aux, name)
        out_leaves, out_spec = tree_flatten(call.out)
        for o in out_leaves:
            if not isinstance(o, Tensor):
                raise RuntimeError("%s(f, ...)(*args): Expected f to be a function that has only "
                                   "Tensors as outputs, got %s" % (name, type(o)))
        blocks = [[[] for _ in call.leaves] for _ in out_leaves]
        if forward:
            owners = [j for j, leaf in enumerate(call.leaves) for _ in range(leaf.numel())]
            cols = _forward_products(call, _basis(call.leaves))
            for j, col in zip(owners, cols):
                for oi, c in enumerate(tree_flatten(col)[0]):
                    blocks[oi][j].append(c.reshape(-1))
        else:
            from ember.ops.creation import zeros

            for oi, o in enumerate(out_leaves):
                n = o.numel()
                for k in range(n):
                    onehot = zeros(n, dtype=o.dtype)
                    onehot[k] = 1
                    g = tree_flatten(call.grads([o], [onehot.view(o.shape)]))[0]
                    for ii, gi in enumerate(g):
                        blocks[oi][ii].append(gi)
        jac = _assemble(call, blocks, out_leaves, out_spec, argnums, forward)
        return (jac, call.finish(call.aux)) if has_aux else jac

    return wrapper


def jacrev(func, argnums=0, *, has_aux=False, chunk_size=None, _preallocate_and_copy=False):
    """The Jacobian of ``func`` w.r.t. ``args[argnums]`` by reverse mode, one vjp per output
    element; shaped ``output.shape + input.shape``.

    Example::

        >>> import ember
        >>> ember.func.jacrev(lambda x: x ** 2)(ember.tensor([1., 2.]))
        tensor([[2., 0.],
                [0., 4.]])
    """
    if chunk_size is not None and chunk_size <= 0:
        raise ValueError("jacrev: `chunk_size` should be greater than 0.")
    return _jac_wrapper(func, argnums, has_aux, "jacrev", forward=False)


def jacfwd(func, argnums=0, has_aux=False, *, randomness="error"):
    """The Jacobian of ``func`` w.r.t. ``args[argnums]`` by forward mode (double-vjp), one
    Jacobian-vector product per input element.

    Example::

        >>> import ember
        >>> ember.func.jacfwd(lambda x: x.sum() * x)(ember.tensor([1., 2.]))
        tensor([[4., 1.],
                [2., 5.]])
    """
    if randomness not in ("error", "different", "same"):
        raise RuntimeError("Only allowed values for randomness are 'error', 'different', or "
                           "'same'. Got %s" % randomness)
    return _jac_wrapper(func, argnums, has_aux, "jacfwd", forward=True)


def hessian(func, argnums=0):
    """``jacfwd(jacrev(func, argnums), argnums)``: the Hessian of a scalar function.

    Example::

        >>> import ember
        >>> ember.func.hessian(lambda x: (x ** 3).sum())(ember.tensor([1., 2.]))
        tensor([[ 6.,  0.],
                [ 0., 12.]])
    """
    return jacfwd(jacrev(func, argnums), argnums)
