"""reqctl: customer requirements, change requests, risks, decisions and meetings as files in git."""

__version__ = "0.1.0"
