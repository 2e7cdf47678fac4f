"""Load the bureau directory (YAML) into ``schemas.BureauDirectory``."""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import ValidationError

from schemas import BureauDirectory

from .errors import DirectoryError

__all__ = ["load_directory"]


def load_directory(path: Path) -> BureauDirectory:
    """Read and validate ``path``; raise ``DirectoryError`` saying what is wrong and where."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DirectoryError(f"bureau directory {path} not found: set BUREAUS_FILE to a YAML file") from None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise DirectoryError(f"bureau directory {path} is not valid YAML: {exc}") from None
    try:
        return BureauDirectory.model_validate(data)
    except ValidationError as exc:
        errors = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors(include_url=False)[:10]
        )
        raise DirectoryError(f"bureau directory {path} is invalid: {errors}") from None
