"""`ReceivedEvent`: checked once by the codec, `time` and data decoded on first use, the library's rules kept."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from cloudevents.core.exceptions import CloudEventValidationError
from cloudevents.core.v1.event import CloudEvent

from warden_common.codec import (
    InvalidAttributeError,
    InvalidJsonError,
    MissingAttributesError,
    from_kafka_record,
    to_kafka_record,
)
from warden_common.codec.envelope import check_envelope
from warden_common.codec.event import ReceivedEvent

HEADERS = [
    ("ce_id", b"evt-1"),
    ("ce_source", b"/tests"),
    ("ce_type", b"io.warden.test.v1"),
    ("ce_specversion", b"1.0"),
    ("ce_time", b"2024-05-06T07:08:09.5Z"),
    ("content-type", b"application/json"),
    ("ce_modelid", b"classifier"),
]


def test_deferred_record_decodes_time_and_data_on_first_use_only() -> None:
    event = from_kafka_record([*HEADERS[:4], ("ce_time", b"noon"), *HEADERS[5:]], b"{broken", defer=True)
    assert (event.get_id(), event.get_type(), event.get_extension("modelid")) == (
        "evt-1",
        "io.warden.test.v1",
        "classifier",
    )
    with pytest.raises(InvalidJsonError, match="event data"):
        event.get_data()
    with pytest.raises(InvalidAttributeError, match="'time'"):
        event.get_time()
    with pytest.raises(InvalidAttributeError, match="'time'"):
        event.get_attributes()


def test_deferred_and_eager_decoding_give_equal_events() -> None:
    eager = from_kafka_record(HEADERS, b'{"a": [1, 2]}')
    deferred = from_kafka_record(HEADERS, b'{"a": [1, 2]}', defer=True)
    assert list(deferred.get_attributes().items()) == list(eager.get_attributes().items())  # same order too
    assert deferred.get_data() == eager.get_data() == {"a": [1, 2]}
    assert deferred.get_time() == datetime(2024, 5, 6, 7, 8, 9, 500000, tzinfo=UTC)


def test_envelope_problems_are_reported_at_decode_even_when_deferred() -> None:
    with pytest.raises(InvalidAttributeError) as raised:
        from_kafka_record([*HEADERS, ("ce_subject", b""), ("ce_Bad-Name", b"x")], b"{}", defer=True)
    assert set(raised.value.problems) == {"subject", "bad-name"}
    with pytest.raises(MissingAttributesError, match="'id'"):
        from_kafka_record(HEADERS[1:], b"{}", defer=True)


def test_a_received_event_republishes_as_the_same_record() -> None:
    event = from_kafka_record(HEADERS, b'{"a":1}', defer=True)
    key, headers, value = to_kafka_record(event, "k")
    assert key == b"k"
    again = from_kafka_record(headers, value)
    assert again.get_attributes() == event.get_attributes() and again.get_data() == {"a": 1}


@pytest.mark.parametrize("name", ["modelid", "bad_name", "data", "", "UPPER", "x" * 30])
def test_extension_names_get_the_library_verdict(name: str) -> None:
    attributes = {"id": "1", "source": "s", "type": "t", "specversion": "1.0", name: "v"}
    try:
        CloudEvent(dict(attributes))
    except CloudEventValidationError as exc:
        expected: dict[str, str] | None = {k: "; ".join(str(e) for e in v) for k, v in exc.errors.items()}
    else:
        expected = None
    try:
        check_envelope(attributes, where="test")
    except InvalidAttributeError as exc:
        assert exc.problems == expected
    else:
        assert expected is None


def test_constructor_checks_like_the_library_but_never_invents_an_id() -> None:
    event = ReceivedEvent({"id": "1", "source": "s", "type": "t", "specversion": "1.0", "time": "2024-05-06T07:08:09Z"})
    assert event.get_time() == datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)
    stamped = ReceivedEvent({"id": "1", "source": "s", "type": "t", "specversion": "1.0"}, {"x": 1})
    assert stamped.get_time() is not None and stamped.get_data() == {"x": 1}
    with pytest.raises(MissingAttributesError):
        ReceivedEvent({"source": "s", "type": "t", "specversion": "1.0"})
    with pytest.raises(InvalidAttributeError, match="datacontenttype"):
        ReceivedEvent({"id": "1", "source": "s", "type": "t", "specversion": "1.0", "datacontenttype": ""})
