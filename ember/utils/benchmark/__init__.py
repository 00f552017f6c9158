"""``ember.utils.benchmark``: timing statements and comparing the results, as
``torch.utils.benchmark``.

``Timer(stmt, setup, globals=...)`` times a statement with ``timeit`` (``timeit(number)``,
``blocked_autorange``, ``adaptive_autorange``) and returns a ``Measurement`` that prints as
torch's; ``Compare`` lays many of them out as torch's table; the fuzzers draw benchmark inputs
(``Fuzzer``, ``FuzzedParameter``, ``ParameterAlias``, ``FuzzedTensor``). The modules sit at
torch's paths under ``ember/utils/benchmark/utils/``.
"""
from ember.utils.benchmark.utils.common import *  # noqa: F401,F403
from ember.utils.benchmark.utils.timer import *  # noqa: F401,F403
from ember.utils.benchmark.utils.compare import *  # noqa: F401,F403
from ember.utils.benchmark.utils.fuzzer import *  # noqa: F401,F403
