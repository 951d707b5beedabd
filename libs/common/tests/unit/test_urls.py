"""Internal paths: one template, every user value one encoded segment; paths that would leave their route refused."""

from __future__ import annotations

import re

import pytest

from warden_common.urls import UnsafePath, build_path, check_path, encode_subpath, unsafe_path_problem


def test_each_value_becomes_one_encoded_segment() -> None:
    template = "/api/v1alpha1/namespaces/{namespace}/seldondeployments/{name}/resources"
    assert build_path(template, namespace="seldon", name="iris") == (
        "/api/v1alpha1/namespaces/seldon/seldondeployments/iris/resources"
    )
    # The values: ? and # would start a query or fragment, %04 is a control character, unencoded.
    assert build_path(template, namespace="0", name="\x04") == (
        "/api/v1alpha1/namespaces/0/seldondeployments/%04/resources"
    )
    assert build_path(template, namespace="a?view=processes", name="b#x") == (
        "/api/v1alpha1/namespaces/a%3Fview%3Dprocesses/seldondeployments/b%23x/resources"
    )
    assert build_path("/m/{model}:predict", model="a b%") == "/m/a%20b%25:predict"


@pytest.mark.parametrize("value", ["", ".", "..", "a/b", "../etc"])
def test_values_that_cannot_be_one_segment_are_refused(value: str) -> None:
    with pytest.raises(UnsafePath):
        build_path("/a/{x}", x=value)


def test_the_template_and_the_values_must_match() -> None:
    with pytest.raises(ValueError, match="needs a plain value"):
        build_path("/a/{x}/{y}", x="1")
    with pytest.raises(ValueError, match="has no field z"):
        build_path("/a/{x}", x="1", z="2")
    with pytest.raises(ValueError, match="needs a plain value"):
        build_path("/a/{x!r}", x="1")


def test_a_matched_subpath_is_re_encoded_segment_by_segment() -> None:
    assert encode_subpath("") == ""
    assert encode_subpath("/runtime") == "/runtime"
    assert encode_subpath("/a b/c?d#e/") == "/a%20b/c%3Fd%23e/"
    for dotted in ("/..", "/a/../b", "/.", "./x"):
        with pytest.raises(UnsafePath, match=re.escape("'.' or '..'")):
            encode_subpath(dotted)


@pytest.mark.parametrize(
    "path",
    [
        "/api/x?y=1",
        "/api/x#f",
        "/api/\x04",
        "/api/a b",
        "/api/a\\b",
        "/api/../admin",
        "/api/%2e%2E/admin",
        "/api/./x",
        "/api/a%2Fb",
        "/api/a%5cb",
        "http://elsewhere/api",
        "//elsewhere/api",
        "api/relative",
    ],
)
def test_paths_that_leave_their_route_are_refused(path: str) -> None:
    assert unsafe_path_problem(path) is not None
    with pytest.raises(UnsafePath) as raised:
        check_path(path)
    assert raised.value.status_code == 400 and raised.value.code == "unsafe_path"


def test_encoded_paths_pass() -> None:
    for path in ("/api/v1alpha1/model/metadata", "/seldon/ns/iris/v1/models/m:predict", "/a/%3F%23%04/b/"):
        assert check_path(path) == path
