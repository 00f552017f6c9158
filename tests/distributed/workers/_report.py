"""Each rank reports to its own file (``$EMBER_TEST_OUT/rank<r>``), which the test reads back:
mpiexec forwards the ranks' stdout as it arrives, so lines of different ranks can interleave."""
import os


def report(rank, text):
    with open(os.path.join(os.environ["EMBER_TEST_OUT"], "rank%d" % rank), "a") as f:
        f.write(text + "\n")
