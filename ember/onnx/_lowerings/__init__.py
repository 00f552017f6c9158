"""ONNX lowerings that are not an op's own: each op (``Node``) carries its lowering next to its
forward and backward (``Node.onnx``; the one-input table's lines carry theirs in the table).

Here are the lowerings of public functions that compute outside ``Node.apply`` (comparisons,
logic, arg-reductions) and of modules exported as one ONNX block (the recurrent layers as ONNX's
RNN/GRU/LSTM operators and the cells as one step of them, MultiheadAttention with heads on their
own axis, adaptive max pooling by fixed bins). Importing this package registers them.
"""
from ember.onnx._lowerings import attention, comparison, pooling, rnn  # noqa: F401
