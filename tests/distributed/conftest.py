# The scripts in workers/ are run by mpiexec from the tests, one process per rank; pytest must
# not import them (--doctest-modules would, and they join a process group at import).
collect_ignore = ["workers"]
