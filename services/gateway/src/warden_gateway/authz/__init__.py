"""Enforcement of authentication and authorization in front of every route the gateway's port serves.

`rules` says what a request needs (pure), `state` holds what decisions read (policy, namespace labels), the
middleware authenticates and decides, `runtime` opens it all in the gateway's lifespan."""
