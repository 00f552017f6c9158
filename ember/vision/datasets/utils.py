"""Download and integrity helpers shared by the datasets.

Downloads stream into a temporary file beside the target, check the MD5 sum, and only then
rename it into place, so an interrupted or corrupted download never passes for a dataset.
"""
import bz2
import gzip
import hashlib
import lzma
import os
import tarfile
import tempfile
import urllib.error
import urllib.request
import zipfile

USER_AGENT = "ember/vision"


def calculate_md5(fpath, chunk_size=1024 * 1024):
    md5 = hashlib.md5(usedforsecurity=False)
    with open(fpath, "rb") as f:
        for chunk in iter(lambda: f.read(chunk_size), b""):
            md5.update(chunk)
    return md5.hexdigest()


def check_md5(fpath, md5):
    return md5 == calculate_md5(fpath)


def check_integrity(fpath, md5=None):
    """True if ``fpath`` exists and, when ``md5`` is given, has that MD5 sum."""
    if not os.path.isfile(fpath):
        return False
    return md5 is None or check_md5(fpath, md5)


def _fetch(url, fpath, md5, timeout):
    """Stream ``url`` to ``fpath`` through a temporary file; raise on HTTP errors or a wrong
    MD5 sum (the temporary file is removed either way)."""
    folder = os.path.dirname(fpath) or "."
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".%s." % os.path.basename(fpath),
                               suffix=".part")
    try:
        digest = hashlib.md5(usedforsecurity=False)
        req = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(req, timeout=timeout) as resp:
            for chunk in iter(lambda: resp.read(1024 * 1024), b""):
                digest.update(chunk)
                out.write(chunk)
        if md5 is not None and digest.hexdigest() != md5:
            raise RuntimeError("MD5 mismatch for %s: expected %s, got %s"
                               % (url, md5, digest.hexdigest()))
        os.replace(tmp, fpath)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def download_url(url, root, filename=None, md5=None, max_redirect_hops=3, *, mirrors=None,
                 timeout=30.0):
    """Download ``url`` (or ``filename`` from each of ``mirrors`` in turn) into ``root``.

    A file already present with the right MD5 sum is kept. Raises RuntimeError naming every
    URL tried, with its error, when no source delivers a file with the expected sum.
    """
    root = os.path.expanduser(os.fspath(root))
    filename = filename or os.path.basename(url)
    fpath = os.path.join(root, filename)
    os.makedirs(root, exist_ok=True)
    if check_integrity(fpath, md5):
        return fpath
    urls = [m + filename for m in mirrors] if mirrors else [url]
    errors = []
    for u in urls:
        try:
            _fetch(u, fpath, md5, timeout)
            return fpath
        except (urllib.error.URLError, OSError, RuntimeError, ValueError) as e:
            errors.append("  %s: %s" % (u, e))
    raise RuntimeError("Error downloading %s; tried:\n%s\n(are you offline? put the file in %s "
                       "yourself to use it)" % (filename, "\n".join(errors), root))


def _decompress(src, dst, opener):
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(dst) or ".", suffix=".part")
    try:
        with opener(src, "rb") as f, os.fdopen(fd, "wb") as out:
            for chunk in iter(lambda: f.read(1024 * 1024), b""):
                out.write(chunk)
        os.replace(tmp, dst)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


_OPENERS = {".gz": gzip.open, ".xz": lzma.open, ".bz2": bz2.open}


def extract_archive(from_path, to_path=None, remove_finished=False):
    """Extract a .zip, .tar(.gz/.xz/.bz2)/.tgz archive or decompress a .gz/.xz/.bz2 file."""
    to_path = os.path.dirname(from_path) if to_path is None else to_path
    name = os.path.basename(from_path)
    if name.endswith(".zip"):
        with zipfile.ZipFile(from_path) as z:
            z.extractall(to_path)
    elif ".tar" in name or name.endswith(".tgz"):
        with tarfile.open(from_path) as t:
            t.extractall(to_path, filter="data")
    else:
        base, ext = os.path.splitext(name)
        if ext not in _OPENERS:
            raise RuntimeError("Extraction of %s not supported" % from_path)
        _decompress(from_path, os.path.join(to_path, base), _OPENERS[ext])
    if remove_finished:
        os.remove(from_path)
    return to_path


def download_and_extract_archive(url, download_root, extract_root=None, filename=None, md5=None,
                                 remove_finished=False, *, mirrors=None):
    path = download_url(url, download_root, filename, md5, mirrors=mirrors)
    return extract_archive(path, extract_root or download_root, remove_finished)


def verify_str_arg(value, arg=None, valid_values=None, custom_msg=None):
    if not isinstance(value, str):
        raise ValueError("Expected type str for argument %s, but got type %s."
                         % (arg, type(value).__name__))
    if valid_values is not None and value not in valid_values:
        raise ValueError(custom_msg or "Unknown value '%s' for argument %s. Valid values are "
                         "{%s}." % (value, arg, ", ".join("'%s'" % v for v in valid_values)))
    return value
