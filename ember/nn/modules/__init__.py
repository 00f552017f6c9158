"""All layer classes of ``ember.nn``."""
from ember.nn.modules.activation import (CELU, ELU, GELU, GLU, SELU, Hardshrink,  # noqa: F401
                                         Hardsigmoid, Hardswish, Hardtanh, LeakyReLU,
                                         LogSigmoid, LogSoftmax, Mish, PReLU, ReLU, ReLU6, RReLU,
                                         Sigmoid, SiLU, Softmax, Softmax2d, Softmin, Softplus,
                                         Softshrink, Softsign, Tanh, Tanhshrink, Threshold)
from ember.nn.modules.adaptive import AdaptiveLogSoftmaxWithLoss  # noqa: F401
from ember.nn.modules.channelshuffle import ChannelShuffle  # noqa: F401
from ember.nn.modules.container import (ModuleDict, ModuleList, ParameterDict,  # noqa: F401
                                        ParameterList, Sequential)
from ember.nn.modules.distance import CosineSimilarity, PairwiseDistance  # noqa: F401
from ember.nn.modules.dropout import (AlphaDropout, Dropout, Dropout1d, Dropout2d,  # noqa: F401
                                      Dropout3d, FeatureAlphaDropout)
from ember.nn.modules.flatten import Flatten, Unflatten  # noqa: F401
from ember.nn.modules.fold import Fold, Unfold  # noqa: F401
from ember.nn.modules.linear import Bilinear, Identity, Linear  # noqa: F401
from ember.nn.modules.linear_cross_entropy import LinearCrossEntropyLoss  # noqa: F401
from ember.nn.modules.linear_cross_entropy_options import LinearCrossEntropyOptions  # noqa: F401
from ember.nn.modules.loss import (BCELoss, BCEWithLogitsLoss, CosineEmbeddingLoss,  # noqa: F401
                                   CTCLoss,
                                   CrossEntropyLoss, GaussianNLLLoss, HingeEmbeddingLoss,
                                   HuberLoss, KLDivLoss, L1Loss, MarginRankingLoss, MSELoss,
                                   MultiLabelMarginLoss, MultiLabelSoftMarginLoss,
                                   MultiMarginLoss, NLLLoss, PoissonNLLLoss, SmoothL1Loss,
                                   SoftMarginLoss, TripletMarginLoss,
                                   TripletMarginWithDistanceLoss)
from ember.nn.modules.module import Module  # noqa: F401
from ember.nn.modules.padding import (CircularPad1d, CircularPad2d, CircularPad3d,  # noqa: F401
                                      ConstantPad1d, ConstantPad2d, ConstantPad3d,
                                      ReflectionPad1d, ReflectionPad2d, ReflectionPad3d,
                                      ReplicationPad1d, ReplicationPad2d, ReplicationPad3d,
                                      ZeroPad1d, ZeroPad2d, ZeroPad3d)
from ember.nn.modules.pixelshuffle import PixelShuffle, PixelUnshuffle  # noqa: F401
from ember.nn.modules.sparse import Embedding, EmbeddingBag  # noqa: F401
from ember.nn.modules.upsampling import (Upsample, UpsamplingBilinear2d,  # noqa: F401
                                         UpsamplingNearest2d)

# --- convolution, pooling, normalisation layers (conv.py, pooling.py, batchnorm.py,
# --- normalization.py) are imported below by their own authors.
from ember.nn.modules.batchnorm import (BatchNorm1d, BatchNorm2d, BatchNorm3d,  # noqa: F401,E402
                                        SyncBatchNorm)
from ember.nn.modules.conv import (Conv1d, Conv2d, Conv3d, ConvTranspose1d,  # noqa: F401,E402
                                   ConvTranspose2d, ConvTranspose3d)
from ember.nn.modules.normalization import (GroupNorm, InstanceNorm1d,  # noqa: F401,E402
                                            InstanceNorm2d, InstanceNorm3d, LayerNorm,
                                            LocalResponseNorm, RMSNorm)
from ember.nn.modules.pooling import (AdaptiveAvgPool1d, AdaptiveAvgPool2d,  # noqa: F401,E402
                                      AdaptiveAvgPool3d, AdaptiveMaxPool1d, AdaptiveMaxPool2d,
                                      AdaptiveMaxPool3d, AvgPool1d, AvgPool2d, AvgPool3d,
                                      FractionalMaxPool2d, FractionalMaxPool3d, LPPool1d,
                                      LPPool2d, LPPool3d, MaxPool1d, MaxPool2d, MaxPool3d,
                                      MaxUnpool1d, MaxUnpool2d, MaxUnpool3d)
from ember.nn.modules.rnn import (GRU, LSTM, RNN, GRUCell, LSTMCell, RNNBase,  # noqa: F401,E402
                                 RNNCell, RNNCellBase)
from ember.nn.modules.transformer import (MultiheadAttention, Transformer,  # noqa: F401,E402
                                         TransformerDecoder, TransformerDecoderLayer,
                                         TransformerEncoder, TransformerEncoderLayer)
from ember.nn.modules.lazy import (LazyBatchNorm1d, LazyBatchNorm2d,  # noqa: F401,E402
                                   LazyBatchNorm3d, LazyConv1d, LazyConv2d, LazyConv3d,
                                   LazyConvTranspose1d, LazyConvTranspose2d, LazyConvTranspose3d,
                                   LazyInstanceNorm1d, LazyInstanceNorm2d, LazyInstanceNorm3d,
                                   LazyLinear)
