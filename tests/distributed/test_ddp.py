"""DistributedDataParallel and SyncBatchNorm under mpiexec (checks in workers/ddp.py): equality
with one process on the global batch, no_sync, the ``module.`` prefix, broadcast_buffers,
find_unused_parameters, SyncBatchNorm against BatchNorm, join with uneven inputs."""
import pytest

import ember
from ember import nn
from tests.distributed._launch import check_ok, mpirun


@pytest.mark.parametrize("nproc", [2, 3])
def test_ddp_matches_one_process(nproc, tmp_path):
    check_ok(mpirun(nproc, "ddp", tmp_path), tmp_path, nproc)


def test_sync_batchnorm_without_a_group_is_batchnorm():
    ember.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2))
    converted = nn.SyncBatchNorm.convert_sync_batchnorm(model)
    assert isinstance(converted[1], nn.SyncBatchNorm)
    assert converted[1].weight is model[1].weight
    assert list(converted.state_dict()) == list(model.state_dict())
    x = ember.randn(4, 2, 5, 5)
    reference = nn.BatchNorm2d(2)
    assert ember.allclose(converted[1](x), reference(x))
    assert ember.allclose(converted[1].running_var, reference.running_var)
    assert repr(converted[1]) == ("SyncBatchNorm(2, eps=1e-05, momentum=0.1, affine=True, "
                                  "bias=True, track_running_stats=True)")
