"""Kubernetes naming rules: names live on as Kubernetes objects in distributed mode, so they obey them here too."""

from __future__ import annotations

import re

_DNS1123_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_DNS1035_LABEL = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")
_LABEL_NAME = re.compile(r"^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")
_DNS1123_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_LABEL_VALUE = re.compile(r"^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$")


def dns1123_label_problem(name: object) -> str | None:
    """Why `name` is not a DNS-1123 label (namespaces, SeldonDeployments), or None when it is one."""
    if not isinstance(name, str) or not name:
        return "must be a non-empty string"
    if len(name) > 63:
        return f"must be at most 63 characters (has {len(name)})"
    if not _DNS1123_LABEL.match(name):
        return "must consist of lower case letters, digits and '-', and start and end with a letter or digit"
    return None


def dns1035_label_problem(name: object) -> str | None:
    """Like `dns1123_label_problem`, but must start with a letter (KServe's rule for InferenceService names)."""
    problem = dns1123_label_problem(name)
    if problem is None and isinstance(name, str) and not _DNS1035_LABEL.match(name):
        return "must start with a lower case letter"
    return problem


def qualified_name_problem(key: object) -> str | None:
    """Why `key` is not a valid label/annotation key (`[prefix/]name`), or None."""
    if not isinstance(key, str) or not key:
        return "must be a non-empty string"
    prefix, _, name = key.rpartition("/")
    if prefix and (len(prefix) > 253 or not _DNS1123_SUBDOMAIN.match(prefix)):
        return "prefix must be a DNS subdomain (lower case, at most 253 characters)"
    if not name or len(name) > 63 or not _LABEL_NAME.match(name):
        return "name part must be 1-63 characters of letters, digits, '-', '_' or '.', alphanumeric at both ends"
    return None


def label_value_problem(value: object) -> str | None:
    """Why `value` is not a valid label value, or None."""
    if not isinstance(value, str):
        return "must be a string"
    if len(value) > 63 or not _LABEL_VALUE.match(value):
        return "must be at most 63 characters of letters, digits, '-', '_' or '.', alphanumeric at both ends"
    return None
