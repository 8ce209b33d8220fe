"""The API's ground.

- ``framework``: the error shape, throttles, pagination, conditional GETs and JWS answers
  every app's ``api/`` builds on;
- ``auth``: personal bearer tokens;
- ``views`` and ``urls``: core's own endpoints (audit head, signing keys).

Kept empty on purpose: DRF imports ``core.api.auth`` while loading its settings, so this
package must not import DRF's views on the way.
"""
