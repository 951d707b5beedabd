"""Which environment variables each Warden service reads, for the tests of the deployment files (compose, Helm).

The answer comes from the services' own pydantic-settings classes (env prefix + `__` between nested fields), so a
deployment file that sets a misspelt or stale variable, which pydantic-settings would silently ignore, fails.
"""

from __future__ import annotations

import types
import typing
from functools import cache

from pydantic import BaseModel, SecretStr
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings

from warden_gateway.composition import load_service_factory, service_names


class NotASetting(LookupError):
    """An environment variable the named service does not read."""


@cache
def is_skeleton(service: str) -> bool:
    """Whether `service` is a skeleton (no features built yet): deployment files leave it off by default."""
    return bool(load_service_factory(service)().state.skeleton)


def built_service_names() -> list[str]:
    return [name for name in service_names() if not is_skeleton(name)]


@cache
def settings_class(service: str) -> type[BaseSettings]:
    """The settings class of `service`, as its app was built with (no I/O: clients open in the lifespan)."""
    return type(load_service_factory(service)().state.settings)


def env_prefix(service: str) -> str:
    prefix = settings_class(service).model_config["env_prefix"]
    assert isinstance(prefix, str)
    return prefix


def service_reading(variable: str) -> str:
    """The service whose env prefix `variable` carries (longest prefix wins); `NotASetting` if none."""
    owners = [name for name in service_names() if variable.startswith(env_prefix(name))]
    if not owners:
        raise NotASetting(f"{variable}: no service reads variables with this prefix")
    owner: str = max(owners, key=lambda name: len(env_prefix(name)))
    return owner


def setting_field(service: str, variable: str) -> FieldInfo:
    """The field `variable` sets in `service`'s settings; `NotASetting` says which part matches nothing."""
    cls = settings_class(service)
    prefix = env_prefix(service)
    if not variable.startswith(prefix):
        raise NotASetting(f"{variable} is not read by {cls.__name__} (prefix {prefix})")
    delimiter = str(cls.model_config["env_nested_delimiter"])
    model: type[BaseModel] = cls
    parts = variable.removeprefix(prefix).lower().split(delimiter)
    for depth, part in enumerate(parts):
        field = model.model_fields.get(part)
        if field is None:
            path = delimiter.join(parts[: depth + 1]).upper()
            raise NotASetting(f"{variable}: {cls.__name__} has no setting {path}")
        rest = parts[depth + 1 :]
        if not rest:
            return field
        if _is_mapping(field.annotation) and len(rest) == 1:
            return field  # a dict setting: any key (e.g. UPSTREAMS__<SERVICE>)
        nested = _model_in(field.annotation)
        if nested is None:
            raise NotASetting(f"{variable}: {part.upper()} of {cls.__name__} has no nested settings")
        model = nested
    raise AssertionError("unreachable: split() returns at least one part")


def is_secret(field: FieldInfo) -> bool:
    """A `SecretStr` setting (possibly optional): deployment files must take it from a secret store."""
    return SecretStr in _members(field.annotation)


def _members(annotation: object) -> tuple[object, ...]:
    """The types of a union (`X | None`), or the type itself."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return typing.get_args(annotation)
    return (annotation,)


def _model_in(annotation: object) -> type[BaseModel] | None:
    for member in _members(annotation):
        if isinstance(member, type) and issubclass(member, BaseModel):
            return member
    return None


def _is_mapping(annotation: object) -> bool:
    return any(typing.get_origin(member) is dict for member in _members(annotation))
