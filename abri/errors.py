"""The exceptions abri raises; each subclasses a builtin."""


class AbriError(Exception):
    """Base class for abri's domain errors."""


class MissingDataError(AbriError, FileNotFoundError):
    """A file of the data pack is not in the data directory."""


class DataFileError(AbriError, ValueError):
    """An input file cannot be read as a whole (format, columns, encoding)."""


class GraphError(AbriError, ValueError):
    """A road network cannot be built or used."""
