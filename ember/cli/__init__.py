"""The ``ember`` command: train, evaluate and use MNIST digit classifiers, or run PyTorch scripts.

Subcommands::

    ember train [--model net|lenet5|mlp] [--epochs N] [--data DIR] [--out DIR] [--resume] ...
    ember eval CHECKPOINT [--data DIR]
    ember predict CHECKPOINT IMAGE...
    ember export CHECKPOINT --onnx model.onnx
    ember run [--nproc N] SCRIPT.py [ARGS...]
    ember train --nproc N ...     (data-parallel on N processes under MPI)
    ember run --coverage

``main(argv)`` runs one and returns its exit status, so tests call it in-process; the console
script ``ember`` and ``python -m ember`` call it with ``sys.argv``. A bad input (missing or
corrupt data, an unreadable image or checkpoint, a bad option) ends with one line on stderr and a
non-zero status, not a traceback.
"""
import argparse
import os
import sys

__all__ = ["main", "CommandError"]


class CommandError(Exception):
    """A user-facing error: printed as ``ember <command>: error: <message>``, status 1."""


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose usage errors are one line (``prog: error: message``)."""

    def error(self, message):
        self.exit(2, "%s: error: %s (see %s --help)\n" % (self.prog, message, self.prog))


def _build_parser():
    from ember.cli import evaluate, export, predict, train

    parser = _Parser(prog="ember", description="Train, evaluate and use MNIST classifiers on "
                     "ember, or run a PyTorch script on ember.")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands.required = True
    train.add_parser(commands)
    evaluate.add_parser(commands)
    predict.add_parser(commands)
    export.add_parser(commands)
    commands.add_parser("run", help="run a PyTorch script with torch and torchvision resolved "
                        "to ember", add_help=False)
    return parser


def _run_script(argv):
    from ember.cli import compat

    if argv and (argv[0] == "--nproc" or argv[0].startswith("--nproc=")):
        return _run_on_ranks(argv)
    if not argv or argv[0] in ("-h", "--help"):
        stream = sys.stdout if argv else sys.stderr
        print("usage: ember run SCRIPT.py [ARGS...]\n       ember run --nproc N SCRIPT.py "
              "[ARGS...]\n       ember run --coverage\n\n"
              "Run a PyTorch script with torch and torchvision resolved to ember (see "
              "ember.cli.compat); --nproc runs it on N processes under MPI with torchrun's "
              "variables; --coverage counts the torch names ember provides, omits and lacks.",
              file=stream)
        return 0 if argv else 2
    if argv[0] == "--coverage":
        try:
            print(compat.coverage_table(), end="")
        except ModuleNotFoundError as e:
            raise CommandError(str(e)) from None
        return 0
    if not os.path.isfile(argv[0]):
        raise CommandError("no such script: %s" % argv[0])
    compat.run_script(argv[0], argv[1:])
    return 0


def _run_on_ranks(argv):
    from ember.cli.nproc import launch

    if argv[0] == "--nproc":
        count, rest = (argv[1] if len(argv) > 1 else ""), argv[2:]
    else:
        count, rest = argv[0].split("=", 1)[1], argv[1:]
    if not count.isdigit() or int(count) < 1:
        raise CommandError("--nproc needs a positive process count, got %r" % count)
    if not rest:
        raise CommandError("--nproc %s needs a script to run" % count)
    if not os.path.isfile(rest[0]):
        raise CommandError("no such script: %s" % rest[0])
    return launch(int(count), rest, compat=True)


def main(argv=None):
    """Run the ``ember`` command with ``argv`` (default ``sys.argv[1:]``); return the status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    command = argv[0] if argv else None
    try:
        if command == "run":
            return _run_script(argv[1:])
        parser = _build_parser()
        try:
            args = parser.parse_args(argv)
        except SystemExit as e:  # --help, or a usage error already printed
            return e.code if isinstance(e.code, int) else 2
        args.argv = argv
        return args.func(args)
    except CommandError as e:
        print("ember %s: error: %s" % (command, e), file=sys.stderr)
        from ember.cli.nproc import report_failure

        report_failure(e)
        return 1
    except KeyboardInterrupt:
        print("ember %s: interrupted" % command, file=sys.stderr)
        return 130
