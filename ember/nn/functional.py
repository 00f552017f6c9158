"""``ember.nn.functional``: the functional forms of the layers, as ``torch.nn.functional``.

Every function is defined once in ``ember/ops`` (with its registry record) and re-exported here.
"""
from ember.ops.elementwise import logsigmoid, relu  # noqa: F401
from ember.ops.loss import (binary_cross_entropy, binary_cross_entropy_with_logits,  # noqa: F401
                            cosine_embedding_loss, cross_entropy, gaussian_nll_loss,
                            hinge_embedding_loss, huber_loss, kl_div, l1_loss,
                            margin_ranking_loss, mse_loss, multi_margin_loss,
                            multilabel_margin_loss, multilabel_soft_margin_loss, nll_loss,
                            poisson_nll_loss, smooth_l1_loss, soft_margin_loss,
                            triplet_margin_loss, triplet_margin_with_distance_loss)
from ember.ops.nn_ops import (alpha_dropout, bilinear, celu, cosine_similarity,  # noqa: F401
                              dropout, dropout1d, dropout2d, dropout3d, elu, elu_, embedding,
                              embedding_bag, feature_alpha_dropout, gelu, glu, hardshrink,
                              hardsigmoid, hardswish, hardtanh, hardtanh_, interpolate,
                              leaky_relu, leaky_relu_, linear, log_softmax, mish, normalize,
                              one_hot, pad, pairwise_distance, pixel_shuffle, pixel_unshuffle,
                              prelu, relu6, relu_, rrelu, rrelu_, selu, sigmoid, silu, softmax,
                              softmin, softplus, softshrink, softsign, tanh, tanhshrink,
                              threshold, threshold_, upsample, upsample_bilinear,
                              upsample_nearest)

# --- convolution, pooling, normalisation (ember/ops/conv.py, pooling.py, normalization.py) ---
from ember.ops.conv import (conv1d, conv2d, conv3d, conv_transpose1d,  # noqa: F401,E402
                            conv_transpose2d, conv_transpose3d)
from ember.ops.normalization import (batch_norm, group_norm, instance_norm,  # noqa: F401,E402
                                     layer_norm, local_response_norm)
from ember.ops.pooling import (adaptive_avg_pool1d, adaptive_avg_pool2d,  # noqa: F401,E402
                               adaptive_max_pool1d, adaptive_max_pool2d, avg_pool1d, avg_pool2d,
                               lp_pool1d, lp_pool2d, max_pool1d, max_pool2d, max_unpool1d,
                               max_unpool2d)

# --- attention (ember/ops/attention.py) ---
from ember.ops.attention import (multi_head_attention_forward,  # noqa: F401,E402
                                 scaled_dot_product_attention)

# --- CTC loss, sliding blocks, spatial transformers (ember/ops/nn_extra.py) ---
from ember.ops.nn_extra import (affine_grid, ctc_loss, fold, grid_sample,  # noqa: F401,E402
                                gumbel_softmax, unfold)
