"""The workspace file (satudata.toml): read, checked, every bad value named in Bahasa Indonesia.

One reader per section (sections.py, opd.py, kalender.py) over the shared value checks in read.py."""
from service.config.load import find_config, load_config
from service.config.model import CONFIG_NAME, Config, ConfigError, Opd, Person
from service.config.opd import KODE_MAX, KODE_RE
from service.config.read import spreadsheet_key
from service.config.sections import INTERVAL_MAX, KNOWN_KEYS

__all__ = ["CONFIG_NAME", "INTERVAL_MAX", "KNOWN_KEYS", "KODE_MAX", "KODE_RE", "Config", "ConfigError", "Opd", "Person",
           "find_config", "load_config", "spreadsheet_key"]
