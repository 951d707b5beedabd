"""Which environment variables each Warden service reads, for the tests of the deployment files (compose, Helm).

The answer comes from the services' own pydantic-settings classes (env prefix + `__` between nested fields), so a
deployment file that sets a misspelt or stale variable, which pydantic-settings would silently ignore, fails.
"""

from __future__ import annotations

import types
import typing
from functools import cache

from fastapi import FastAPI
from pydantic import BaseModel, SecretStr
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings

from warden_common.testing.auth import AUTH_OFF
from warden_gateway.authz.runtime import FirstAdminSettings
from warden_gateway.composition import load_service_factory, service_names
from warden_gateway.settings import GatewaySettings


class NotASetting(LookupError):
    """An environment variable the named service does not read."""


@cache
def built_app(service: str) -> FastAPI:
    """`service`'s app as `warden serve` builds it (no I/O: clients open in the lifespan). The gateway is built with
    auth off: with it on, a distributed gateway refuses to be built without its issuer and passphrase."""
    factory = load_service_factory(service)
    app: FastAPI = factory(GatewaySettings(auth=AUTH_OFF)) if service == "gateway" else factory()
    return app


def is_skeleton(service: str) -> bool:
    """Whether `service` is a skeleton (no features built yet): deployment files leave it off by default."""
    return bool(built_app(service).state.skeleton)


def built_service_names() -> list[str]:
    return [name for name in service_names() if not is_skeleton(name)]


OTHER_SETTINGS: dict[str, tuple[type[BaseSettings], ...]] = {"gateway": (FirstAdminSettings,)}
"""Settings a service reads besides its own class: the gateway's first administrator (`WARDEN_ADMIN_*`)."""


def settings_class(service: str) -> type[BaseSettings]:
    """The settings class of `service`, as its app was built with."""
    return type(built_app(service).state.settings)


def _prefix(cls: type[BaseSettings]) -> str:
    prefix = cls.model_config["env_prefix"]
    assert isinstance(prefix, str)
    return prefix


def env_prefix(service: str) -> str:
    return _prefix(settings_class(service))


def _classes(service: str) -> tuple[type[BaseSettings], ...]:
    return (settings_class(service), *OTHER_SETTINGS.get(service, ()))


def service_reading(variable: str) -> str:
    """The service that reads `variable` (the longest matching env prefix wins); `NotASetting` if none."""
    owners = {name: len(_prefix(cls)) for name in service_names() for cls in _classes(name)
              if variable.startswith(_prefix(cls))}  # fmt: skip
    if not owners:
        raise NotASetting(f"{variable}: no service reads variables with this prefix")
    return max(owners, key=lambda name: owners[name])


def setting_field(service: str, variable: str) -> FieldInfo:
    """The field `variable` sets in `service`'s settings; `NotASetting` says which part matches nothing."""
    readers = [cls for cls in _classes(service) if variable.startswith(_prefix(cls))]
    if not readers:
        raise NotASetting(f"{variable} is not read by {service} (prefix {env_prefix(service)})")
    cls = max(readers, key=lambda c: len(_prefix(c)))
    prefix = _prefix(cls)
    delimiter = str(cls.model_config.get("env_nested_delimiter") or "__")
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
