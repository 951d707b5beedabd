"""The request logger's compiled hot path (Rust, `libs/native/src`): see `_native.pyi` for what it offers."""

from warden_native._native import Namer, PartEncoder, namer

__all__ = ["Namer", "PartEncoder", "namer"]
