"""``ember.nn.functional``: the functional forms of the layers, as ``torch.nn.functional``.

This module is the index of ``F``. Each function is written once, in ``ember/ops/nn/<file>.py``,
right beside its autograd Node (forward and backward), its sample inputs and its registry record
(the one place the generic tests read), with one file per ``ember/nn/modules`` file:
``activation``, ``linear``, ``conv``, ``pooling``, ``normalization``, ``dropout``, ``sparse``,
``padding``, ``upsampling``, ``pixelshuffle``, ``distance``, ``fold``, ``loss``, ``attention``,
``rnn``. Keeping them there keeps the op layer whole (``ember.ops`` never imports ``ember.nn``,
and ``torch.conv2d``/``torch.batch_norm``... reach the same functions), so this file names them
in the order of torch's ``torch.nn.functional`` page, with the file that defines each group.
``help(F.relu)`` shows the function's own docstring (torch's ``Args:``/``Shape:``/``Example:``).

Example::

    >>> import ember
    >>> import ember.nn.functional as F
    >>> x = ember.tensor([[-1.0, 0.5, 2.0]])
    >>> F.relu(x)
    tensor([[0.0000, 0.5000, 2.0000]])
    >>> F.softmax(x, dim=1).sum().item()
    1.0
"""
# --- Convolution functions (ops/nn/conv.py, ops/nn/fold.py) ----------------------------------
from ember.ops.nn.conv import (conv1d, conv2d, conv3d, conv_transpose1d,  # noqa: F401
                               conv_transpose2d, conv_transpose3d)
from ember.ops.nn.fold import fold, unfold  # noqa: F401

# --- Pooling functions (ops/nn/pooling.py, pooling_adaptive.py, unpooling.py) ---------------
from ember.ops.nn.pooling import (avg_pool1d, avg_pool2d, avg_pool3d,  # noqa: F401
                                  lp_pool1d, lp_pool2d, lp_pool3d, max_pool1d,
                                  max_pool1d_with_indices, max_pool2d, max_pool2d_with_indices,
                                  max_pool3d, max_pool3d_with_indices)
from ember.ops.nn.unpooling import max_unpool1d, max_unpool2d, max_unpool3d  # noqa: F401
from ember.ops.nn.pooling_fractional import (fractional_max_pool2d,  # noqa: F401
                                             fractional_max_pool2d_with_indices,
                                             fractional_max_pool3d,
                                             fractional_max_pool3d_with_indices)
from ember.ops.nn.pooling_adaptive import (adaptive_avg_pool1d,  # noqa: F401
                                           adaptive_avg_pool2d, adaptive_avg_pool3d,
                                           adaptive_max_pool1d, adaptive_max_pool1d_with_indices,
                                           adaptive_max_pool2d, adaptive_max_pool2d_with_indices,
                                           adaptive_max_pool3d, adaptive_max_pool3d_with_indices)

# --- Attention mechanisms (ops/nn/attention.py) ---------------------------------------------
from ember.ops.nn.attention import (multi_head_attention_forward,  # noqa: F401
                                    scaled_dot_product_attention)

# --- Non-linear activation functions (ops/nn/activation.py, the softmax family in
# activation_softmax.py; torch's in-place celu_/selu_ are spellings of the methods,
# ops/aliases.py) ---------------------------------------------------------------------------
from ember.ops.nn.activation import (celu, elu, elu_, gelu, glu, hardshrink,  # noqa: F401
                                     hardsigmoid, hardswish, hardtanh, hardtanh_, leaky_relu,
                                     leaky_relu_, logsigmoid, mish, prelu, relu, relu6, relu_,
                                     rrelu, rrelu_, selu, sigmoid, silu, softplus, softshrink,
                                     softsign, tanh, tanhshrink, threshold, threshold_)
from ember.ops.nn.activation_softmax import (gumbel_softmax, log_softmax,  # noqa: F401
                                             softmax, softmin)
from ember.ops.aliases import celu_, selu_  # noqa: F401

# --- Normalization functions (ops/nn/normalization.py) --------------------------------------
from ember.ops.nn.normalization import (batch_norm, group_norm, instance_norm,  # noqa: F401
                                        layer_norm, local_response_norm, normalize, rms_norm)

# --- Linear functions (ops/nn/linear.py, linear_cross_entropy.py) ---------------------------
from ember.ops.nn.linear import bilinear, linear  # noqa: F401
from ember.ops.nn.linear_cross_entropy import linear_cross_entropy  # noqa: F401

# --- Dropout functions (ops/nn/dropout.py) --------------------------------------------------
from ember.ops.nn.dropout import (alpha_dropout, dropout, dropout1d, dropout2d,  # noqa: F401
                                  dropout3d, feature_alpha_dropout)

# --- Sparse functions (ops/nn/sparse.py) ----------------------------------------------------
from ember.ops.nn.sparse import embedding, embedding_bag, one_hot  # noqa: F401

# --- Distance functions (ops/nn/distance.py) ------------------------------------------------
from ember.ops.nn.distance import cosine_similarity, pairwise_distance, pdist  # noqa: F401

# --- Loss functions (ops/nn/loss.py, loss_margin.py, loss_ctc.py) ---------------------------
from ember.ops.nn.loss import (binary_cross_entropy, binary_cross_entropy_with_logits,  # noqa: F401
                               cross_entropy, gaussian_nll_loss, huber_loss, kl_div, l1_loss,
                               mse_loss, nll_loss, poisson_nll_loss, smooth_l1_loss)
from ember.ops.nn.loss_margin import (cosine_embedding_loss, hinge_embedding_loss,  # noqa: F401
                                      margin_ranking_loss, multi_margin_loss,
                                      multilabel_margin_loss, multilabel_soft_margin_loss,
                                      soft_margin_loss, triplet_margin_loss,
                                      triplet_margin_with_distance_loss)
from ember.ops.nn.loss_ctc import ctc_loss  # noqa: F401

# --- Vision functions (ops/nn/pixelshuffle.py, padding.py, upsampling.py) -------------------
from ember.ops.nn.pixelshuffle import (channel_shuffle, pixel_shuffle,  # noqa: F401
                                       pixel_unshuffle)
from ember.ops.nn.padding import pad  # noqa: F401
from ember.ops.nn.upsampling import (affine_grid, grid_sample, interpolate, upsample,  # noqa: F401
                                     upsample_bilinear, upsample_nearest)

# --- helpers the layers share with the functions (torch's F._canonical_mask, ...) -----------
from ember.ops.nn.attention import _canonical_mask, _none_or_dtype  # noqa: F401,E402
from ember.ops.nn.loss import _legacy_string  # noqa: F401,E402
