"""The census (ember/_census.py): every public name of the torch namespaces ember mirrors is
provided, deliberately omitted with a reason, or listed as a known gap."""
import pytest

import ember
from ember import _census

_STRICT = [ns for ns, (_, strict) in _census.NAMESPACES.items() if strict]


@pytest.fixture(scope="module")
def census():
    return _census.census()


def test_every_torch_name_is_provided_or_listed(census):
    unlisted = {ns: sorted(n for n, reason in census[ns]["missing"].items() if reason is None)
                for ns in _STRICT}
    unlisted = {ns: names for ns, names in unlisted.items() if names}
    assert not unlisted, (
        "torch names ember neither provides nor lists in ember/_census.py (add them to ember, or "
        "to OMISSIONS with a one-line reason, or to NOT_YET): %s" % unlisted)


@pytest.mark.parametrize("table", ["OMISSIONS", "NOT_YET"])
def test_tables_list_only_real_torch_names_once(table):
    for namespace, groups in getattr(_census, table).items():
        names = [name for text in groups.values() for name in text.split()]
        assert len(names) == len(set(names)), namespace
        unknown = set(names) - set(_census.torch_names(namespace))
        assert not unknown, "%s.%s: not public names of torch" % (namespace, sorted(unknown))


def test_omitted_names_are_not_provided(census):
    # an omission ember provides after all is no omission: the table must say what ember lacks
    for namespace, groups in _census.OMISSIONS.items():
        provided = set(census[namespace]["provided"])
        overlap = provided & {name for text in groups.values() for name in text.split()}
        assert not overlap, "%s: %s are provided, remove them from OMISSIONS" % (
            namespace, sorted(overlap))


def test_a_name_ember_drops_is_caught(monkeypatch):
    monkeypatch.delattr(ember.nn, "Linear")
    entry = _census.census(["torch.nn"])["torch.nn"]
    assert entry["missing"]["Linear"] is None and "Linear" not in entry["provided"]


def test_torch_names_count_own_names_not_imports():
    functional = _census.torch_names("torch.nn.functional")
    assert {"relu", "conv2d", "max_pool2d"} <= set(functional)
    assert not {"Optional", "Callable", "Tensor", "math"} & set(functional)
    assert {"set_grad_enabled", "nn", "float32", "Size"} <= set(_census.torch_names("torch"))
    assert "add_" in _census.torch_names("torch.Tensor")


def test_coverage_table_shares(census):
    rows = {line.split("|")[1].strip(" `"): line.split("|")[2:-1]
            for line in _census.coverage_table().splitlines()[2:]}
    assert list(rows) == list(_census.NAMESPACES)
    provided, omitted, missing, share, _ = (cell.strip() for cell in rows["torch.nn"])
    entry = census["torch.nn"]
    assert (int(provided), int(omitted), int(missing)) == (
        len(entry["provided"]), len(entry["omitted"]), len(entry["missing"]))
    assert share == "%.1f%%" % (100 * int(provided) / (int(provided) + int(missing)))
