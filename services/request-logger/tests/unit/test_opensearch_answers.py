"""How the OpenSearch store reads OpenSearch's answers (no I/O)."""

from __future__ import annotations

import orjson

from warden_common.logstore.opensearch import _OrjsonAnswers


def test_opensearch_bulk_answers_are_read_with_orjson_and_the_rest_as_the_library_does() -> None:
    answers = _OrjsonAnswers()
    bulk_answer = '{"errors":true,"items":[{"create":{"status":201}},{"create":{"status":409,"error":{"type":"x"}}}]}'
    assert answers.loads(bulk_answer) == orjson.loads(bulk_answer)
    # orjson would read this integer as a float: a search answer keeps it exact.
    wide = 123456789012345678901234567890
    assert answers.loads(f'{{"hits": {{"hits": [{{"_source": {{"n": {wide}}}}}]}}}}')["hits"]["hits"][0] == {
        "_source": {"n": wide}
    }
