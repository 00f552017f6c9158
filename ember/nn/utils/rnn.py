"""Variable-length sequences for recurrent layers, as ``torch.nn.utils.rnn``.

A ``PackedSequence`` holds the steps of a batch of sequences sorted by decreasing length, time
step after time step: step ``t`` contributes the first ``batch_sizes[t]`` sequences. Moving
between the padded and the packed layout is one differentiable row gather (or scatter).
"""
from collections import namedtuple

import ember
from ember._backend import np
from ember._tensor import Tensor, _make
from ember.ops.nn.rnn import GatherRows, ScatterRows

__all__ = ["PackedSequence", "invert_permutation", "pack_padded_sequence", "pad_packed_sequence",
           "pad_sequence", "unpad_sequence", "pack_sequence", "unpack_sequence"]


def _long(arr):
    return _make(np.ascontiguousarray(arr, dtype=np.int64))


def invert_permutation(permutation):
    """The permutation that undoes ``permutation`` (``None`` stays ``None``)."""
    if permutation is None:
        return None
    perm = permutation._data
    inv = np.empty_like(perm)
    inv[perm] = np.arange(perm.shape[0], dtype=perm.dtype)
    return _long(inv)


_PackedSequenceBase = namedtuple("PackedSequence_",
                                 ["data", "batch_sizes", "sorted_indices", "unsorted_indices"])


class PackedSequence(_PackedSequenceBase):
    """The packed steps of a batch of variable-length sequences.

    Build one with :func:`pack_padded_sequence` or :func:`pack_sequence`, never directly.

    Attributes:
        data: the packed steps, ``(sum(lengths), *)``.
        batch_sizes: how many sequences are still running at each step (int64).
        sorted_indices: the batch order the packing used (``None`` if the input was sorted).
        unsorted_indices: its inverse, to restore the original order.
    """

    def __new__(cls, data, batch_sizes=None, sorted_indices=None, unsorted_indices=None):
        if unsorted_indices is None:
            unsorted_indices = invert_permutation(sorted_indices)
        if batch_sizes is None:
            data, batch_sizes = data
        return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)

    def to(self, *args, **kwargs):
        data = self.data.to(*args, **kwargs)
        if data is self.data:
            return self
        return type(self)(data, self.batch_sizes, self.sorted_indices, self.unsorted_indices)

    def cpu(self):
        return self

    def double(self):
        return self.to(dtype=_dtype("float64"))

    def float(self):
        return self.to(dtype=_dtype("float32"))

    def half(self):
        return self.to(dtype=_dtype("float16"))

    @property
    def is_cuda(self):
        return False

    def is_pinned(self):
        return False


def _dtype(name):
    import ember

    return getattr(ember, name)


def _lengths_array(lengths):
    if isinstance(lengths, Tensor):
        return lengths._data.astype(np.int64).reshape(-1)
    return np.asarray(lengths, dtype=np.int64).reshape(-1)


def _packed_rows(sorted_lengths, sorted_indices, batch, steps, batch_first):
    """Flat row indices (first two dims of the padded tensor) of the packed steps, in packed
    order, and the batch sizes."""
    t_grid = np.arange(steps)[:, None]
    running = sorted_lengths[None, :] > t_grid
    t, pos = np.nonzero(running)
    seq = pos if sorted_indices is None else sorted_indices[pos]
    rows = seq * steps + t if batch_first else t * batch + seq
    return rows, running.sum(1)


def pack_padded_sequence(input, lengths, batch_first=False, enforce_sorted=True):
    """Pack a padded batch of variable-length sequences.

    Args:
        input: padded batch ``(T, B, *)``, or ``(B, T, *)`` with ``batch_first``.
        lengths: the length of each sequence (list or 1-D tensor).
        batch_first: whether ``input`` is batch-major.
        enforce_sorted: if ``True`` the lengths must be decreasing; otherwise the batch is
            sorted here and the permutation kept in the result.

    Example::

        >>> import ember
        >>> from ember.nn.utils.rnn import pack_padded_sequence
        >>> p = pack_padded_sequence(ember.ones(3, 2, 1), [3, 1])
        >>> p.batch_sizes
        tensor([2, 1, 1])
    """
    lens = _lengths_array(lengths)
    batch_dim = 0 if batch_first else 1
    batch = input.shape[batch_dim]
    if lens.shape[0] != batch:
        raise RuntimeError("Expected `len(lengths)` to be equal to batch_size, but got %d "
                           "(batch_size=%d)" % (lens.shape[0], batch))
    if lens.size and lens.min() <= 0:
        raise RuntimeError("Length of all samples has to be greater than 0, but found an element "
                           "in 'lengths' that is <= 0")
    if enforce_sorted:
        if np.any(lens[1:] > lens[:-1]):
            raise RuntimeError(
                "`lengths` array must be sorted in decreasing order when `enforce_sorted` is "
                "True. You can pass `enforce_sorted=False` to pack_padded_sequence and/or "
                "pack_sequence to sidestep this requirement if you do not need ONNX "
                "exportability.")
        order = None
        sorted_lens = lens
    else:
        order = np.argsort(-lens, kind="stable")
        sorted_lens = lens[order]
    steps = input.shape[1 - batch_dim]
    if lens.size and lens.max() > steps:
        raise RuntimeError("pack_padded_sequence: a length (%d) exceeds the padded sequence "
                           "length (%d)" % (lens.max(), steps))
    rows, batch_sizes = _packed_rows(sorted_lens, order, batch, steps, batch_first)
    batch_sizes = batch_sizes[batch_sizes > 0]
    data = GatherRows.apply((input,), rows)
    return PackedSequence(data, _long(batch_sizes), None if order is None else _long(order))


def pad_packed_sequence(sequence, batch_first=False, padding_value=0.0, total_length=None):
    """Inverse of :func:`pack_padded_sequence`: ``(padded, lengths)`` in the original order.

    Args:
        sequence: a ``PackedSequence``.
        batch_first: return ``(B, T, *)`` instead of ``(T, B, *)``.
        padding_value: value of the padded positions.
        total_length: pad to this many steps (at least the longest sequence).
    """
    data, batch_sizes = sequence.data, sequence.batch_sizes._data
    steps = batch_sizes.shape[0]
    if total_length is not None:
        if total_length < steps:
            raise ValueError("Expected total_length to be at least the length of the longest "
                             "sequence in input, but got total_length=%d and max sequence length "
                             "being %d" % (total_length, steps))
        steps = total_length
    batch = int(batch_sizes[0]) if batch_sizes.size else 0
    sorted_lens = (batch_sizes[None, :] > np.arange(batch)[:, None]).sum(1)
    order = None if sequence.sorted_indices is None else sequence.sorted_indices._data
    rows, _ = _packed_rows(sorted_lens, order, batch, steps, batch_first)
    shape = (batch, steps) if batch_first else (steps, batch)
    padded = ScatterRows.apply((data,), rows, shape + tuple(data.shape[1:]), padding_value)
    lengths = sorted_lens
    if sequence.unsorted_indices is not None:
        lengths = sorted_lens[sequence.unsorted_indices._data]
    return padded, _long(lengths)


def pad_sequence(sequences, batch_first=False, padding_value=0.0, padding_side="right"):
    """Stack variable-length sequences ``(L_i, *)`` into one padded tensor.

    Returns ``(T, B, *)`` (``(B, T, *)`` with ``batch_first``), ``T`` the longest length; the
    padding goes after each sequence (``padding_side='right'``) or before it (``'left'``).
    """

    if padding_side not in ("left", "right"):
        raise RuntimeError("Expected padding_side to be one of left or right, but got %s."
                           % padding_side)
    if isinstance(sequences, Tensor):
        sequences = sequences.unbind(0)
    sequences = list(sequences)
    if not sequences:
        raise RuntimeError("received an empty list of sequences")
    trailing = tuple(sequences[0].shape[1:])
    for s in sequences[1:]:
        if tuple(s.shape[1:]) != trailing:
            dim = next(i for i, (a, b) in enumerate(zip(s.shape[1:], trailing))
                       if a != b) + 1
            raise RuntimeError("The size of tensor a (%d) must match the size of tensor b (%d) "
                               "at non-singleton dimension %d" % (trailing[dim - 1],
                                                                   s.shape[dim], dim))
    lens = np.array([s.shape[0] for s in sequences], dtype=np.int64)
    steps = int(lens.max())
    batch = len(sequences)
    seq = np.repeat(np.arange(batch), lens)
    t = np.arange(lens.sum()) - np.repeat(np.cumsum(lens) - lens, lens)
    if padding_side == "left":
        t = t + np.repeat(steps - lens, lens)
    rows = seq * steps + t if batch_first else t * batch + seq
    shape = (batch, steps) if batch_first else (steps, batch)
    data = ember.cat(sequences, 0) if batch > 1 else sequences[0]
    return ScatterRows.apply((data,), rows, shape + trailing, padding_value)


def unpad_sequence(padded_sequences, lengths, batch_first=False):
    """Split a padded batch back into a list of sequences of the given ``lengths``."""
    if not batch_first:
        padded_sequences = padded_sequences.transpose(0, 1)
    lens = _lengths_array(lengths)
    return [padded_sequences[i][:int(n)] for i, n in enumerate(lens)]


def pack_sequence(sequences, enforce_sorted=True):
    """Pack a list of variable-length sequences ``(L_i, *)`` (decreasing lengths unless
    ``enforce_sorted=False``)."""
    lengths = [s.shape[0] for s in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)


def unpack_sequence(packed_sequences):
    """The list of sequences a ``PackedSequence`` holds, in the original order."""
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)
