"""``Compare``: many Measurements as one table per label, as torch.utils.benchmark prints it.

Rows are statements (``sub_label``, else ``stmt``), grouped by thread count and environment;
columns are ``description`` values; each cell is the median in the unit of the fastest result,
optionally trimmed to the figures its spread supports, colored against the best of its row or
column, and marked with its spread when that is high.
"""
import collections
import enum
import itertools

from ember._backend import np
from ember.utils.benchmark.utils import common

__all__ = ["Colorize", "Compare"]

BEST = "\033[92m"
GOOD = "\033[34m"
BAD = "\033[2m\033[91m"
VERY_BAD = "\033[31m"
BOLD = "\033[1m"
TERMINATE = "\033[0m"


class Colorize(enum.Enum):
    NONE = "none"
    COLUMNWISE = "columnwise"
    ROWWISE = "rowwise"


def _leading_digits(value):
    # float32 as torch's tensor of a Python float
    return int(np.ceil(np.log10(np.float32(value))))


class _Column:
    """The number format of one column: enough integer digits for its largest entry and the
    decimals its least precise entry supports (one when not trimming)."""

    def __init__(self, grouped, scale, trim, highlight):
        self.grouped = grouped
        results = [r for r in itertools.chain.from_iterable(grouped) if r is not None]
        self.trim = trim
        self.highlight = highlight and any(r.has_warnings for r in results)
        digits = [_leading_digits(r.median / scale) for r in results]
        decimals = min(max(r.significant_figures - d, 0)
                       for d, r in zip(digits, results)) if trim else 1
        width = max(digits) + decimals + (1 if decimals else 0)
        self.template = "{:>%d.%df}{:>%d}" % (width, decimals, 7 if self.highlight else 0)

    def cell(self, value, figures, spread):
        if value is None:
            return " " * len(self.cell(1, figures, None))
        if self.trim:
            value = common.trim_sigfig(value, figures)
        mark = " (! %.0f%%)" % (spread * 100) if self.highlight and spread is not None else ""
        return self.template.format(value, mark)


def _colored(text, value, best):
    if value <= best * 1.01 or value <= best + 100e-9:
        return BEST + BOLD + text + TERMINATE * 2
    if value <= best * 1.1:
        return GOOD + BOLD + text + TERMINATE * 2
    if value >= best * 5:
        return VERY_BAD + BOLD + text + TERMINATE * 2
    if value >= best * 2:
        return BAD + text + TERMINATE * 2
    return text


def _table(results, colorize, trim, highlight):
    """One label's table as text."""
    if len({r.label for r in results}) != 1:
        raise AssertionError("All results must share the same label")
    unit, scale = common.select_unit(min(r.median for r in results))

    def row_key(m):
        return m.num_threads, m.env, m.as_row_name

    row_keys = common.ordered_unique(row_key(r) for r in results)
    row_keys.sort(key=lambda key: key[:2])  # stable: statements keep their order
    col_keys = common.ordered_unique(r.description for r in results)
    grid = [[None] * len(col_keys) for _ in row_keys]
    row_at = {key: i for i, key in enumerate(row_keys)}
    col_at = {key: j for j, key in enumerate(col_keys)}
    for r in results:
        grid[row_at[row_key(r)]][col_at[r.description]] = r

    envs = {r.env for r in results}
    show_env = len(envs) > 1
    env_width = max(len(e) for e in envs) if show_env else 0
    groups, group_of, separators, shown_env = [], [], [], []
    threads, prior_env = None, ""
    for (num_threads, env, _), row in zip(row_keys, grid):
        if num_threads != threads:
            threads, prior_env = num_threads, ""
            groups.append([])
            separators.append(num_threads)
        else:
            separators.append(None)
        groups[-1].append(row)
        group_of.append(len(groups) - 1)
        shown_env.append(show_env and env != prior_env)
        prior_env = env
    columns = [_Column([tuple(row[j] for row in g) for g in groups], scale, trim, highlight)
               for j in range(len(col_keys))]

    text_rows = [[""] + col_keys]
    for row, env_shown in zip(grid, shown_env):
        first = next(r for r in row if r is not None)
        env = ("(%s)" % first.env if env_shown else "").ljust(env_width + 4)
        cells = ["  " + env + first.as_row_name]
        for m, column in zip(row, columns):
            if m is None:
                cells.append(column.cell(None, 1, None))
            else:
                cells.append(column.cell(m.median / scale, m.significant_figures,
                                         m.iqr / m.median if m.has_warnings else None))
        text_rows.append(cells)
    width = max(len(r) for r in text_rows)
    for r in text_rows:
        r.extend([""] * (width - len(r)))
    widths = [max(len(cell) for cell in column) for column in zip(*text_rows)]

    lines = ["  |  ".join(cell.center(w) for cell, w in zip(text_rows[0], widths))]
    overall = len(lines[0])
    for i, (cells, row) in enumerate(zip(text_rows[1:], grid)):
        if separators[i] is not None:
            lines.append(("%d threads: " % separators[i]).ljust(overall, "-"))
        if colorize == Colorize.ROWWISE:
            best = [min(r.median for r in row if r is not None)] * len(cells)
        elif colorize == Colorize.COLUMNWISE:
            best = [min((r.median for r in column.grouped[group_of[i]] if r is not None),
                        default=None) for column in columns]
        else:
            best = [-1] * len(cells)
        out = [cells[0].ljust(widths[0])]
        for cell, w, m, b in zip(cells[1:], widths[1:], row, best):
            cell = cell.center(w)
            if colorize != Colorize.NONE and m is not None and b is not None:
                cell = _colored(cell, m.median, b)
            out.append(cell)
        lines.append("  |  ".join(out))

    label = results[0].label
    warned = highlight and any(r.has_warnings for r in results)
    return ("[%s]\n%s\n\nTimes are in %ss (%s).\n%s" % (
        (" " + (label or "") + " ").center(overall - 2, "-"), "\n".join(lines),
        common.unit_to_english(unit), unit,
        "(! XX%) Measurement has high variance, where XX is the IQR / median * 100.\n"
        if warned else ""))


class Compare:
    """A table of many Measurements (see the module docstring); ``print()`` or ``str()`` it.

    Args:
        results (list of Measurement): the measurements; replicates of one task are merged.

    Example:
        >>> from ember.utils.benchmark import Compare, Measurement, TaskSpec
        >>> spec = TaskSpec("x + y", "pass", label="add", sub_label="small", description="eager")
        >>> for line in str(Compare([Measurement(10, [1.5e-5, 1.6e-5], spec)])).splitlines():
        ...     print(line.rstrip())
        [------- add -------]
                     |  eager
        1 threads: ----------
              small  |   1.6
        <BLANKLINE>
        Times are in microseconds (us).
    """

    def __init__(self, results):
        self._results = []
        self.extend_results(results)
        self._trim_significant_figures = False
        self._colorize = Colorize.NONE
        self._highlight_warnings = False

    def __str__(self):
        return "\n".join(self._render())

    def extend_results(self, results):
        """Add more Measurements."""
        for r in results:
            if not isinstance(r, common.Measurement):
                raise ValueError("Expected an instance of `Measurement`, got %s instead."
                                 % type(r))
        self._results.extend(results)

    def trim_significant_figures(self):
        """Print each cell to the figures its spread supports."""
        self._trim_significant_figures = True

    def colorize(self, rowwise=False):
        """Color each cell against the best of its column (or row)."""
        self._colorize = Colorize.ROWWISE if rowwise else Colorize.COLUMNWISE

    def highlight_warnings(self):
        """Mark cells whose spread is high with ``(! XX%)``."""
        self._highlight_warnings = True

    def print(self):
        print(str(self))

    def _render(self):
        by_label = collections.defaultdict(list)
        for r in common.Measurement.merge(self._results):
            by_label[r.label].append(r)
        return [_table(group, self._colorize, self._trim_significant_figures,
                       self._highlight_warnings) for group in by_label.values()]


