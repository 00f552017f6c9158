"""torch.hub on ember: the cache folder as torch's; fetching code or weights is refused clearly."""
import pytest
import torch

import ember


def test_hub_dir_matches_torch(monkeypatch, tmp_path):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    assert ember.hub.get_dir() == torch.hub.get_dir()
    ember.hub.set_dir(tmp_path / "h")
    try:
        assert ember.hub.get_dir() == str(tmp_path / "h")
    finally:
        monkeypatch.setattr(ember.hub, "_hub_dir", None)


def test_network_calls_are_refused(tmp_path):
    with pytest.raises(RuntimeError, match="needs the network"):
        ember.hub.load("pytorch/vision", "resnet18")
    with pytest.raises(RuntimeError, match="needs the network"):
        ember.hub.list("pytorch/vision")
    with pytest.raises(RuntimeError, match="not in the hub cache"):
        ember.hub.load_state_dict_from_url("https://example.com/w.pth", model_dir=str(tmp_path))


def test_cached_checkpoint_loads(tmp_path):
    ember.save({"w": ember.ones(2)}, str(tmp_path / "w.pth"))
    state = ember.hub.load_state_dict_from_url("https://example.com/a/w.pth?x=1",
                                               model_dir=str(tmp_path))
    assert state["w"].tolist() == [1.0, 1.0]
