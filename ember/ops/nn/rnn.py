"""Fused recurrent kernels: one node per layer and direction for RNN (tanh/relu), LSTM and GRU.

A layer's forward projects the inputs of every time step with one GEMM up front, then loops
over time in NumPy with one GEMM and a few in-place ufuncs per step. Its backward (BPTT) loops
back over time the same way, collecting the pre-activation gradients of all steps, and ends with
one GEMM per weight. The cells (``RNNCell``...) are the same kernels run for one step.

Sequences are handled in torch's packed layout: the rows of the ``(N, input_size)`` data are
grouped by time step, step ``t`` holding the first ``batch_sizes[t]`` sequences (sorted by
decreasing length). A padded ``(T, B, *)`` input is the special case ``batch_sizes = [B] * T``.
The hidden state is one ``(B, H)`` buffer updated on its first ``batch_sizes[t]`` rows, so rows of
finished (or, running in reverse, not yet started) sequences keep their state, and the buffer
ends holding each sequence's final state.

An LSTM over a padded input (every step the whole batch) without projection keeps each step's
gates as a ``(4H, B)`` block instead (``_lstm_forward_fm``): its training step 13.1 -> 10.9 ms
at one thread for LSTM(28, 128) over 28 steps, batch 64 (12.0 -> 10.6 at two), measured in #13.

The kernels have no double backward: their backward is written on arrays.
"""
from ember import _parallel
from ember._backend import array_module, np
from ember._parallel import matmul as _matmul
from ember._tensor import _make
from ember.autograd.function import Node, freed_graph_error
from ember.autograd.grad_mode import _State
from ember.ops.nn.linear import linear
from ember.ops.registry import not_differentiable


def make_steps(batch_sizes, reverse):
    """``(start_row, stop_row, batch)`` of each time step in processing order."""
    steps = []
    start = 0
    for bs in batch_sizes:
        bs = int(bs)
        steps.append((start, start + bs, bs))
        start += bs
    if reverse:
        steps.reverse()
    return steps


def padded_steps(seq_len, batch, reverse):
    """The steps of a padded ``(seq_len, batch, *)`` input viewed as ``(seq_len * batch, *)``."""
    order = range(seq_len - 1, -1, -1) if reverse else range(seq_len)
    return [(t * batch, (t + 1) * batch, batch) for t in order]


def _sigmoid_(a):
    """In-place logistic function, as 0.5 * tanh(0.5 * a) + 0.5 (no overflow, no temporary)."""
    a *= 0.5
    np.tanh(a, out=a)
    a *= 0.5
    a += 0.5


def _sigmoid_grad_(grad, s, tmp):
    """grad *= s * (1 - s), with ``tmp`` (same shape) as scratch."""
    np.subtract(1, s, out=tmp)
    tmp *= s
    grad *= tmp


def _tanh_grad_(grad, t, tmp):
    """grad *= 1 - t ** 2."""
    np.multiply(t, t, out=tmp)
    np.subtract(1, tmp, out=tmp)
    grad *= tmp


class _FusedRNN(Node):
    """Shared plumbing: saved arrays live on the node and are dropped after a backward."""

    _released = False

    def _release(self):
        self._released = True
        self.__dict__.pop("saved", None)

    def _check(self):
        if self._released:
            raise freed_graph_error()
        if _State.enabled:
            raise RuntimeError("%s: the fused recurrent kernels have no double backward "
                               "(create_graph=True)" % self.name())

    def _weight_grads(self, dpre_x, dpre_h, x, hprev, has_bias):
        """Gradients of w_ih, w_hh (and b_ih, b_hh) from the pre-activation gradients of all
        steps: one GEMM each."""
        need = self.needs_input_grad
        k = self.n_state
        res = [_make(_matmul(dpre_x.T, x)) if need[k] else None,
               _make(_matmul(dpre_h.T, hprev)) if need[k + 1] else None]
        if has_bias:
            res.append(_make(dpre_x.sum(0)) if need[k + 2] else None)
            res.append(_make(dpre_h.sum(0)) if need[k + 3] else None)
        return res


def _blocks(order, count):
    """``{index in order closing a block: (first row, stop row)}`` for ``order`` (steps) cut into
    ``count`` blocks with more than one thread, into one block with one thread."""
    n = len(order)
    per = max(-(-n // count) if _parallel.get_num_threads() > 1 else n, 1)
    ends = {}
    for start in range(0, n, per):
        block = order[start:start + per]
        ends[start + len(block) - 1] = (min(s[0] for s in block), max(s[1] for s in block))
    return ends


class _RowGrads:
    """``dpre.T @ a`` for each array ``a`` of ``inputs`` (None: skipped), the weight gradients,
    summed over blocks of time steps as backward finishes them. With more than one thread each
    block's products run on a pool thread while the recurrence goes on (the step products and
    gate math keep the calling thread busy) and the last block is split across the pool; with
    one thread it is one product per input at the end."""

    _BLOCKS = 4

    def __init__(self, dpre, inputs, order):
        self.dpre, self.inputs = dpre, inputs
        self.sums = [None] * len(inputs)
        self.pending = None
        n = len(order)
        self.ends = _blocks(order, self._BLOCKS)
        self.last = n - 1
        if not n:
            self._add(0, 0)

    def done(self, j):
        """Step ``order[j]`` is finished."""
        rows = self.ends.get(j)
        if rows is None:
            return
        self.join()
        if j == self.last:
            self._add(*rows)
        else:
            self.pending = _parallel.spawn(lambda: self._add(*rows))

    def join(self):
        if self.pending is not None:
            pending, self.pending = self.pending, None
            pending.wait()

    def _add(self, lo, hi):
        d = self.dpre[lo:hi].T
        for i, a in enumerate(self.inputs):
            if a is not None:
                p = _matmul(d, a[lo:hi])
                if self.sums[i] is None:
                    self.sums[i] = p
                else:
                    self.sums[i] += p


def _as_contig(a):
    return a if a.flags.c_contiguous else array_module(a).ascontiguousarray(a)


class RNNLayer(_FusedRNN):
    """h_t = act(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh) over all steps; act is tanh or relu.

    Inputs ``(x, h0, w_ih, w_hh[, b_ih, b_hh])``; outputs ``(y, h_n)``.
    """

    n_state = 2

    def forward(ctx, x, h0, w_ih, w_hh, *rest):
        *biases, steps, relu = rest
        x = _as_contig(x)
        gates = x @ w_ih.T
        if biases:
            gates += biases[0] + biases[1]
        h = h0.copy()
        hprev = array_module(x).empty((x.shape[0], h0.shape[1]), dtype=x.dtype)
        w_hh_t = w_hh.T
        for a, b, bs in steps:
            g = gates[a:b]
            hp = h[:bs]
            hprev[a:b] = hp
            g += hp @ w_hh_t
            if relu:
                np.maximum(g, 0, out=g)
            else:
                np.tanh(g, out=g)
            h[:bs] = g
        ctx.saved = (x, w_ih, w_hh, gates, hprev, steps, relu, bool(biases))
        return gates, h

    def backward(ctx, gy, gh):
        ctx._check()
        x, w_ih, w_hh, y, hprev, steps, relu, has_bias = ctx.saved
        dh = gh._data.copy() if gh is not None else array_module(y).zeros(
            (max((s[2] for s in steps), default=0), y.shape[1]), dtype=y.dtype)
        gy = None if gy is None else gy._data
        dpre = np.empty_like(y)
        tmp = np.empty_like(dh)
        for a, b, bs in reversed(steps):
            d = dpre[a:b]
            if gy is not None:
                np.add(dh[:bs], gy[a:b], out=d)
            else:
                d[...] = dh[:bs]
            if relu:
                d *= y[a:b] > 0
            else:
                _tanh_grad_(d, y[a:b], tmp[:bs])
            np.matmul(d, w_hh, out=dh[:bs])
        need = ctx.needs_input_grad
        return (_make(dpre @ w_ih) if need[0] else None, _make(dh) if need[1] else None,
                *ctx._weight_grads(dpre, dpre, x, hprev, has_bias))


# LSTM gates are kept internally as (i, f, o, g) so the three sigmoid gates form one block.
def _lstm_perm(hidden):
    r = np.arange(hidden)
    return np.concatenate([r, r + hidden, r + 3 * hidden, r + 2 * hidden])


def _lstm_factors(gates, cprev, tanh_c, fac, kc, lo, hi):
    """Rows ``lo:hi`` of the backward's per-element factors, from the forward's gates (kept as
    i, f, o, g), previous cells and tanh of the cells. ``fac`` holds, in torch's gate order, what
    multiplies the cell's gradient (i, f, g) or the output's (o) into each gate's pre-activation
    gradient; ``kc`` what carries the output's gradient into the cell's:

        i: g * i(1 - i)   f: c_prev * f(1 - f)   g: i * (1 - g^2)   o: tanh(c) * o(1 - o)
        kc: o * (1 - tanh(c)^2)
    """
    hid = kc.shape[1]
    s_i, s_f, s_o, g = (gates[lo:hi, k * hid:(k + 1) * hid] for k in range(4))
    k_i, k_f, k_g, k_o = (fac[lo:hi, k * hid:(k + 1) * hid] for k in range(4))
    tc, kcs = tanh_c[lo:hi], kc[lo:hi]
    np.subtract(1, s_i, out=k_i)
    k_i *= s_i
    k_i *= g
    np.subtract(1, s_f, out=k_f)
    k_f *= s_f
    k_f *= cprev[lo:hi]
    np.multiply(g, g, out=k_g)
    np.subtract(1, k_g, out=k_g)
    k_g *= s_i
    np.subtract(1, s_o, out=k_o)
    k_o *= s_o
    k_o *= tc
    np.multiply(tc, tc, out=kcs)
    np.subtract(1, kcs, out=kcs)
    kcs *= s_o


def _feature_major(steps, has_proj):
    """Whether an LSTM runs in the feature-major layout (``_lstm_forward_fm``): every step
    holds the whole batch (a padded input) and there is no projection."""
    return (not has_proj and bool(steps) and steps[0][1] - steps[0][0] == steps[0][2] and
            all(b - a == steps[0][2] for a, b, _ in steps))


def _step_blocks(count, total):
    """``(first, stop)`` processing indices of ``total`` steps cut into ``count`` blocks."""
    per = max(-(-total // count), 1)
    return [(s, min(s + per, total)) for s in range(0, total, per)]


def _lstm_forward_fm(ctx, x, h0, c0, w_ih, w_hh, ws, steps, has_bias):
    """The LSTM recurrence of a padded input with each step's gates a ``(4H, B)`` block: the
    blocks of the four gates are contiguous, where NumPy walks the ``(B, 4H)`` rows' gate
    slices row by row, and ``W_hh @ h`` is the faster orientation of the step product here.
    The hidden states are the columns of one ``(H, steps + 1, B)`` buffer, so the weight
    gradient is one product over all steps' columns. Per-step arrays are kept in processing
    order (``k``), reversed for the reverse direction."""
    batch, hid = c0.shape
    n_steps, size = len(steps), x.shape[1]
    xp = array_module(x)
    order = slice(None, None, -1) if steps[0][0] > steps[-1][0] else slice(None)
    perm = _lstm_perm(hid)
    half = xp.ones((4 * hid, 1), dtype=x.dtype)
    half[:3 * hid] = 0.5  # sigmoid(z) = 0.5 * tanh(z / 2) + 0.5, as the row kernel
    # the inputs' projections of all steps in one batched product, the biases as a row of ones
    xk = x.reshape(n_steps, batch, size)[order]
    x1 = xp.ones((n_steps, size + 1, batch), dtype=x.dtype)
    x1[:, :size] = xk.transpose(0, 2, 1)
    w1 = xp.zeros((4 * hid, size + 1), dtype=x.dtype)
    w1[:, :size] = w_ih[perm] * half
    if has_bias:
        w1[:, size] = (ws[0] + ws[1])[perm] * half[:, 0]
    gates = np.matmul(w1, x1)
    w_hh_p = w_hh[perm] * half
    hbuf = xp.empty((hid, n_steps + 1, batch), dtype=x.dtype)  # [:, k]: state before step k
    cbuf = xp.empty((n_steps + 1, hid, batch), dtype=x.dtype)
    hbuf[:, 0], cbuf[0] = h0.T, c0.T
    tanh_c = xp.empty((n_steps, hid, batch), dtype=x.dtype)
    fac = xp.empty((n_steps, 4 * hid, batch), dtype=x.dtype)
    kc = xp.empty_like(tanh_c)
    mm = xp.empty((4 * hid, batch), dtype=x.dtype)
    tmp = xp.empty((hid, batch), dtype=x.dtype)
    h1, h2, h3 = hid, 2 * hid, 3 * hid
    # factors of the backward computed block by block on a pool thread meanwhile (as the
    # row kernel); the last block's are left to backward
    ahead = {}
    if _State.enabled and _parallel.get_num_threads() > 1:
        ahead = {hi - 1: (lo, hi) for lo, hi in _step_blocks(ctx._BLOCKS, n_steps)[:-1]}
    todo = (max(hi for _, hi in ahead.values()), n_steps) if ahead else (0, n_steps)
    pending = None
    try:
        for k in range(n_steps):
            g = gates[k]
            np.matmul(w_hh_p, hbuf[:, k], out=mm)
            g += mm
            np.tanh(g, out=g)
            sig = g[:h3]
            sig *= 0.5
            sig += 0.5
            c = cbuf[k + 1]
            np.multiply(cbuf[k], g[h1:h2], out=c)
            np.multiply(g[:h1], g[h3:], out=tmp)
            c += tmp
            np.tanh(c, out=tanh_c[k])
            np.multiply(g[h2:h3], tanh_c[k], out=hbuf[:, k + 1])
            block = ahead.get(k)
            if block is not None:
                if pending is not None:
                    pending.wait()
                pending = _parallel.spawn(lambda block=block: _lstm_factors(
                    gates, cbuf, tanh_c, fac, kc, *block))
    finally:
        if pending is not None:
            pending.wait()
    y = xp.ascontiguousarray(hbuf[:, 1:][:, order].transpose(1, 2, 0))
    ctx.saved = ("feature-major", xk, w_ih, w_hh, gates, hbuf, cbuf, tanh_c, fac, kc, todo,
                 order, has_bias)
    return (y.reshape(n_steps * batch, hid), xp.ascontiguousarray(hbuf[:, -1].T),
            xp.ascontiguousarray(cbuf[-1].T))


def _lstm_backward_fm(ctx, gy, gh, gc):
    """Backward of ``_lstm_forward_fm``: each step's pre-activation gradients are a ``(4H, B)``
    block (torch's gate order) of the columns of one ``(4H, steps, B)`` array."""
    _, xk, w_ih, w_hh, gates, hbuf, cbuf, tanh_c, fac, kc, todo, order, has_bias = ctx.saved
    n_steps, hid, batch = tanh_c.shape
    n = n_steps * batch
    xp = array_module(gates)
    lo, hi = todo
    if hi > lo:
        _parallel.run(lambda a, b: _lstm_factors(gates, cbuf, tanh_c, fac, kc, lo + a, lo + b),
                      _parallel.chunks(hi - lo, 2))
    dh = xp.ascontiguousarray(gh._data.T) if gh is not None else xp.zeros_like(tanh_c[0])
    dc = xp.ascontiguousarray(gc._data.T) if gc is not None else xp.zeros_like(tanh_c[0])
    gyk = None
    if gy is not None:
        gyk = xp.ascontiguousarray(gy._data.reshape(n_steps, batch, hid)[order].transpose(0, 2, 1))
    d = xp.empty((4 * hid, batch), dtype=gates.dtype)  # torch's gate order (i, f, g, o)
    dpre = xp.empty((4 * hid, n_steps, batch), dtype=gates.dtype)
    tmp = xp.empty((hid, batch), dtype=gates.dtype)
    need = ctx.needs_input_grad
    h1, h2, h3 = hid, 2 * hid, 3 * hid
    w_hh_t = xp.ascontiguousarray(w_hh.T)
    d3, fac3 = d[:h3].reshape(3, hid, batch), fac[:, :h3].reshape(n_steps, 3, hid, batch)
    rows = dpre.reshape(4 * hid, n).T  # (steps * B, 4H) views, as the row kernel's
    hprev = hbuf[:, :-1].reshape(hid, n).T
    grads = _RowGrads(rows, (xk.reshape(n, -1) if need[3] else None, hprev if need[4] else None),
                      [(k * batch, (k + 1) * batch, batch) for k in range(n_steps - 1, -1, -1)])
    try:
        for j in range(n_steps):
            k = n_steps - 1 - j
            if gyk is not None:
                dh += gyk[k]
            np.multiply(dh, kc[k], out=tmp)
            dc += tmp
            np.multiply(dc, fac3[k], out=d3)
            np.multiply(dh, fac[k, h3:], out=d[h3:])
            dc *= gates[k, h1:h2]
            np.matmul(w_hh_t, d, out=dh)
            dpre[:, k] = d
            grads.done(j)
    finally:
        grads.join()
    gw_ih, gw_hh = grads.sums
    dx = None
    if need[0]:
        dx = _matmul(rows, w_ih).reshape(n_steps, batch, -1)[order]
        dx = xp.ascontiguousarray(dx).reshape(n, -1)
    res = [_make(dx) if need[0] else None,
           _make(dh.T.copy()) if need[1] else None, _make(dc.T.copy()) if need[2] else None,
           _make(gw_ih) if need[3] else None, _make(gw_hh) if need[4] else None]
    if has_bias:
        db = dpre.reshape(4 * hid, n).sum(1)
        res.append(_make(db) if need[5] else None)
        res.append(_make(db.copy()) if need[6] else None)
    return tuple(res)


class LSTMLayer(_FusedRNN):
    """The LSTM recurrence of one layer and direction, gates in torch's order (i, f, g, o).

    Inputs ``(x, h0, c0, w_ih, w_hh[, b_ih, b_hh][, w_hr])``; outputs ``(y, h_n, c_n)``.
    With ``w_hr`` (proj_size > 0) the hidden state is ``(o * tanh(c)) @ w_hr^T``.

    The backward needs, per element, a product of the forward's values for each gate
    (``_lstm_factors``); under grad mode with more than one thread the forward hands them to a
    pool thread block by block of steps, so backward's steps are a few ufunc calls and a GEMM.
    """

    n_state = 3
    _BLOCKS = 4

    def forward(ctx, x, h0, c0, w_ih, w_hh, *rest):
        *ws, steps, has_bias, has_proj = rest
        if _feature_major(steps, has_proj):
            return _lstm_forward_fm(ctx, _as_contig(x), h0, c0, w_ih, w_hh, ws, steps, has_bias)
        hid = c0.shape[1]
        perm = _lstm_perm(hid)
        x = _as_contig(x)
        w_ih_p = w_ih[perm]
        w_hh_p = w_hh[perm]
        # sigmoid(z) = 0.5 * tanh(z / 2) + 0.5: with the sigmoid gates' rows of the weights and
        # biases halved (exact in floating point) one tanh covers all four gates of a step
        half = array_module(x).ones((4 * hid, 1), dtype=x.dtype)
        half[:3 * hid] = 0.5
        gates = _matmul(x, (w_ih_p * half).T)
        if has_bias:
            gates += (ws[0] + ws[1])[perm] * half[:, 0]
        w_hr = ws[-1] if has_proj else None
        n = x.shape[0]
        xp = array_module(x)
        h, c = h0.copy(), c0.copy()
        hprev = xp.empty((n, h0.shape[1]), dtype=x.dtype)
        cprev = xp.empty((n, hid), dtype=x.dtype)
        tanh_c = xp.empty((n, hid), dtype=x.dtype)
        y = xp.empty((n, h0.shape[1]), dtype=x.dtype)
        r_all = xp.empty((n, hid), dtype=x.dtype) if has_proj else None
        tmp = xp.empty((c0.shape[0], hid), dtype=x.dtype)
        fac = xp.empty((n, 4 * hid), dtype=x.dtype)
        kc = xp.empty((n, hid), dtype=x.dtype)
        # blocks of steps whose factors a pool thread computes while the recurrence goes on;
        # the last block's are left to backward (split across the pool there)
        ahead = _blocks(steps, ctx._BLOCKS) if _State.enabled else {}
        ahead.pop(len(steps) - 1, None)
        rest = steps[max(ahead) + 1:] if ahead else steps
        todo = (min(s[0] for s in rest), max(s[1] for s in rest)) if rest else (0, 0)
        w_hh_t = (w_hh_p * half).T
        h3 = 3 * hid
        pending = None
        try:
            for j, (a, b, bs) in enumerate(steps):
                g = gates[a:b]
                hp = h[:bs]
                cp = c[:bs]
                hprev[a:b] = hp
                cprev[a:b] = cp
                g += hp @ w_hh_t
                np.tanh(g, out=g)
                sig = g[:, :h3]
                sig *= 0.5
                sig += 0.5
                gg = g[:, h3:]
                cp *= g[:, hid:2 * hid]
                t = tmp[:bs]
                np.multiply(g[:, :hid], gg, out=t)
                cp += t
                tc = tanh_c[a:b]
                np.tanh(cp, out=tc)
                if has_proj:
                    r = r_all[a:b]
                    np.multiply(g[:, 2 * hid:h3], tc, out=r)
                    np.matmul(r, w_hr.T, out=y[a:b])
                else:
                    np.multiply(g[:, 2 * hid:h3], tc, out=y[a:b])
                hp[...] = y[a:b]
                rows = ahead.get(j)
                if rows is not None:
                    if pending is not None:
                        pending.wait()
                    pending = _parallel.spawn(
                        lambda rows=rows: _lstm_factors(gates, cprev, tanh_c, fac, kc, *rows))
        finally:
            if pending is not None:
                pending.wait()
        ctx.saved = (x, w_ih, w_hh, w_hr, gates, hprev, cprev, tanh_c, fac, kc, todo, r_all,
                     steps, has_bias)
        return y, h, c

    def backward(ctx, gy, gh, gc):
        ctx._check()
        if isinstance(ctx.saved[0], str):  # the feature-major kernel
            return _lstm_backward_fm(ctx, gy, gh, gc)
        (x, w_ih, w_hh, w_hr, gates, hprev, cprev, tanh_c, fac, kc, todo, r_all, steps,
         has_bias) = ctx.saved
        batch = max((s[2] for s in steps), default=0)
        hid = tanh_c.shape[1]
        h3 = 3 * hid
        n = x.shape[0]
        dt = x.dtype
        xp = array_module(x)
        lo, hi = todo
        if hi > lo:
            _parallel.run(lambda a, b: _lstm_factors(gates, cprev, tanh_c, fac, kc, lo + a,
                                                     lo + b),
                          _parallel.chunks(hi - lo, 128))
        dh = gh._data.copy() if gh is not None else xp.zeros((batch, hprev.shape[1]), dt)
        dc = gc._data.copy() if gc is not None else xp.zeros((batch, hid), dt)
        gy = None if gy is None else gy._data
        dpre = xp.empty((n, 4 * hid), dtype=dt)  # torch's gate order (i, f, g, o)
        d3 = dpre.reshape(n, 4, hid)[:, :3]
        fac3 = fac.reshape(n, 4, hid)[:, :3]
        dh_all = np.empty_like(hprev) if w_hr is not None else None
        tmp = xp.empty((batch, hid), dt)
        need = ctx.needs_input_grad
        order = steps[::-1]
        grads = _RowGrads(dpre, (x if need[3] else None, hprev if need[4] else None), order)
        try:
            for j, (a, b, bs) in enumerate(order):
                dhs = dh[:bs]
                if gy is not None:
                    dhs += gy[a:b]
                if w_hr is not None:
                    dh_all[a:b] = dhs
                    dr = dhs @ w_hr
                else:
                    dr = dhs
                dcs = dc[:bs]
                t = tmp[:bs]
                np.multiply(dr, kc[a:b], out=t)
                dcs += t
                np.multiply(dcs[:, None], fac3[a:b], out=d3[a:b])
                np.multiply(dr, fac[a:b, h3:], out=dpre[a:b, h3:])
                dcs *= gates[a:b, hid:2 * hid]
                np.matmul(dpre[a:b], w_hh, out=dhs)
                grads.done(j)
        finally:
            grads.join()
        gw_ih, gw_hh = grads.sums
        res = [_make(_matmul(dpre, w_ih)) if need[0] else None, _make(dh) if need[1] else None,
               _make(dc) if need[2] else None, _make(gw_ih) if need[3] else None,
               _make(gw_hh) if need[4] else None]
        if has_bias:
            db = dpre.sum(0)
            res.append(_make(db) if need[5] else None)
            res.append(_make(db.copy()) if need[6] else None)
        if w_hr is not None:
            res.append(_make(dh_all.T @ r_all) if need[-1] else None)
        return tuple(res)


class GRULayer(_FusedRNN):
    """The GRU recurrence of one layer and direction, gates in torch's order (r, z, n):
    n = tanh(W_in x + b_in + r * (W_hn h + b_hn)), h' = (1 - z) * n + z * h.

    Inputs ``(x, h0, w_ih, w_hh[, b_ih, b_hh])``; outputs ``(y, h_n)``.
    """

    n_state = 2

    def forward(ctx, x, h0, w_ih, w_hh, *rest):
        *biases, steps = rest
        hid = h0.shape[1]
        h2 = 2 * hid
        x = _as_contig(x)
        gates = x @ w_ih.T
        if biases:
            gates += biases[0]
        b_hh = biases[1] if biases else None
        n = x.shape[0]
        h = h0.copy()
        hprev = array_module(x).empty((n, hid), dtype=x.dtype)
        hn_all = array_module(x).empty((n, hid), dtype=x.dtype)
        y = array_module(x).empty((n, hid), dtype=x.dtype)
        tmp = np.empty_like(h)
        w_hh_t = w_hh.T
        for a, b, bs in steps:
            g = gates[a:b]
            hp = h[:bs]
            hprev[a:b] = hp
            hg = hp @ w_hh_t
            if b_hh is not None:
                hg += b_hh
            rz = g[:, :h2]
            rz += hg[:, :h2]
            _sigmoid_(rz)
            hn_all[a:b] = hg[:, h2:]
            nn_ = g[:, h2:]
            t = tmp[:bs]
            np.multiply(g[:, :hid], hg[:, h2:], out=t)
            nn_ += t
            np.tanh(nn_, out=nn_)
            np.subtract(hp, nn_, out=t)
            t *= g[:, hid:h2]
            np.add(t, nn_, out=y[a:b])
            hp[...] = y[a:b]
        ctx.saved = (x, w_ih, w_hh, gates, hprev, hn_all, steps, bool(biases))
        return y, h

    def backward(ctx, gy, gh):
        ctx._check()
        x, w_ih, w_hh, gates, hprev, hn_all, steps, has_bias = ctx.saved
        hid = hprev.shape[1]
        h2 = 2 * hid
        batch = max((s[2] for s in steps), default=0)
        dt = x.dtype
        dh = gh._data.copy() if gh is not None else array_module(x).zeros((batch, hid), dt)
        gy = None if gy is None else gy._data
        dpre_x = np.empty_like(gates)
        dpre_h = np.empty_like(gates)
        tmp = array_module(x).empty((batch, hid), dt)
        for a, b, bs in reversed(steps):
            g = gates[a:b]
            r, z, nn_ = g[:, :hid], g[:, hid:h2], g[:, h2:]
            dx = dpre_x[a:b]
            dhh = dpre_h[a:b]
            dhs = dh[:bs]
            if gy is not None:
                dhs += gy[a:b]
            t = tmp[:bs]
            dn = dx[:, h2:]
            # dn = dh * (1 - z) * (1 - n^2)
            np.subtract(1, z, out=t)
            np.multiply(dhs, t, out=dn)
            _tanh_grad_(dn, nn_, t)
            # dz = dh * (h_prev - n) * z * (1 - z)
            dz = dx[:, hid:h2]
            np.subtract(hprev[a:b], nn_, out=dz)
            dz *= dhs
            _sigmoid_grad_(dz, z, t)
            # d(W_hn h + b_hn) = dn * r; dr = dn * (W_hn h + b_hn) * r * (1 - r)
            np.multiply(dn, r, out=dhh[:, h2:])
            dr = dx[:, :hid]
            np.multiply(dn, hn_all[a:b], out=dr)
            _sigmoid_grad_(dr, r, t)
            dhh[:, :h2] = dx[:, :h2]
            dhs *= z
            dhs += dhh @ w_hh
        need = ctx.needs_input_grad
        return (_make(dpre_x @ w_ih) if need[0] else None, _make(dh) if need[1] else None,
                *ctx._weight_grads(dpre_x, dpre_h, x, hprev, has_bias))


# --- packing: moving rows between the padded and the packed layouts ------------------------------

class GatherRows(Node):
    """``a`` with its first two dims flattened, rows ``idx`` taken (``idx`` holds no repeats).
    The backward scatters back, so double backward works."""

    def forward(ctx, a, idx):
        ctx.shape, ctx.idx = a.shape, idx
        return a.reshape((-1,) + a.shape[2:])[idx]

    def backward(ctx, g):
        return ScatterRows.apply((g,), ctx.idx, ctx.shape, 0)


class ScatterRows(Node):
    """A ``shape`` array filled with ``value`` whose rows ``idx`` (first two dims flattened)
    are the rows of ``a``: the inverse of ``GatherRows``."""

    def forward(ctx, a, idx, shape, value):
        ctx.idx = idx
        out = array_module(a).full((shape[0] * shape[1],) + tuple(shape[2:]), value, dtype=a.dtype)
        out[idx] = a
        return out.reshape(shape)

    def backward(ctx, g):
        return GatherRows.apply((g,), ctx.idx)


# --- one step of the recurrent cells: torch.rnn_tanh_cell, ... (the math of nn.RNNCell, LSTMCell,
# GRUCell), built from linear and elementwise ops ------------------------------------------------
def _gates(input, hx, w_ih, w_hh, b_ih, b_hh):
    return linear(input, w_ih, b_ih) + linear(hx, w_hh, b_hh)


def rnn_tanh_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    return _gates(input, hx, w_ih, w_hh, b_ih, b_hh).tanh()


def rnn_relu_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    return _gates(input, hx, w_ih, w_hh, b_ih, b_hh).relu()


def lstm_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """``(h', c')`` from ``hx = (h, c)``; the gates in torch's order i, f, g, o."""
    h, c = hx
    i, f, g, o = _gates(input, h, w_ih, w_hh, b_ih, b_hh).chunk(4, -1)
    c_new = f.sigmoid() * c + i.sigmoid() * g.tanh()
    return o.sigmoid() * c_new.tanh(), c_new


def gru_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """``h'``; the gates in torch's order r, z, n."""
    gi_r, gi_z, gi_n = linear(input, w_ih, b_ih).chunk(3, -1)
    gh_r, gh_z, gh_n = linear(hx, w_hh, b_hh).chunk(3, -1)
    r, z = (gi_r + gh_r).sigmoid(), (gi_z + gh_z).sigmoid()
    n = (gi_n + r * gh_n).tanh()
    return (1 - z) * n + z * hx


CELLS = ("rnn_tanh_cell", "rnn_relu_cell", "lstm_cell", "gru_cell")
for _name in CELLS:
    not_differentiable(_name, "tests/test_torch_surface.py")
del _name
