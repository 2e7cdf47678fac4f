"""docs/records.md tells the truth: every example validates against its model, and every topic is described."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from pydantic import BaseModel

import schemas
from schemas import topics

DOC = Path(__file__).parents[2] / "docs" / "records.md"
_EXAMPLE = re.compile(r"<!-- model: (\w+) -->\n```json\n(.*?)\n```", re.S)


def _examples() -> list[tuple[str, str]]:
    return _EXAMPLE.findall(DOC.read_text(encoding="utf-8"))


def test_the_page_has_an_example_for_every_wire_model_of_a_topic() -> None:
    named = {name for name, _ in _examples()}
    assert named >= {"BorderCrossing", "VisaApplication", "Tip", "Rejected", "WantedPerson", "Bureau", "Alert",
                     "Delivery", "Acknowledgement", "Escalation", "Sighting", "Response"}


@pytest.mark.parametrize(("model_name", "example"), _examples(), ids=[name for name, _ in _examples()])
def test_each_example_is_a_valid_record_of_its_model(model_name: str, example: str) -> None:
    model = getattr(schemas, model_name)
    assert isinstance(model, type) and issubclass(model, BaseModel)
    record = model.model_validate_json(example)
    assert json.loads(example).keys() <= record.model_dump().keys()


def test_every_topic_name_is_described() -> None:
    text = DOC.read_text(encoding="utf-8")
    names = [getattr(topics, n) for n in topics.__all__ if isinstance(getattr(topics, n), str) and n.isupper()]
    names = [n for n in names if n != topics.INGEST_PREFIX]
    missing = [n for n in names if f"`{n}`" not in text]
    assert not missing, f"describe these topics in docs/records.md: {missing}"
    assert "`responses.<agency>`" in text and "`ingest.<agency>" in text
