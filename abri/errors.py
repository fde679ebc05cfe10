"""Every exception abri raises; each subclasses :class:`AbriError` and a builtin.

The command line turns an :class:`AbriError` into a one-line message and exit 1 (a
domain failure) or 2 (bad input: :class:`DataFileError` and its kin); never a traceback.
"""


class AbriError(Exception):
    """Base class for abri's errors."""


class MissingDataError(AbriError, FileNotFoundError):
    """A file of the data pack is not in the data directory."""


class DataFileError(AbriError, ValueError):
    """An input file cannot be read as a whole (format, columns, encoding)."""


class PlanFormatError(DataFileError):
    """A plan folder's ``plan.json`` is missing, malformed, or of a format this abri does not read."""


class GraphError(AbriError, ValueError):
    """A road network cannot be built or used."""


class FetchError(AbriError, OSError):
    """A dataset could not be downloaded, did not match its checksum, or could not be converted."""


class FolderBusyError(AbriError, RuntimeError):
    """Another abri process is writing the same output folder."""


class SweepError(AbriError):
    """A sweep cannot start: no scheduler to reach, no worker, workers that cannot run this abri."""


class PdfError(AbriError):
    """A PDF could not be written."""
