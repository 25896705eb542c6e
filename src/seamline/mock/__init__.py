"""The WireMock-compatible stub engine.

* `MockServer` (server.py) and the fluent builders (dsl.py): the Python API.
* `StubEngine` (engine.py): stubs, scenarios, journal, settings; answers requests.
* `StubMapping` (mapping.py) = `RequestPattern` (request_pattern.py, request_check.py,
  multipart_pattern.py) + `ResponseDefinition` (response_def.py, templating.py, cors.py);
  WireMock's JSON format.
* Value matchers: patterns.py (the table of names) over value_patterns.py (text),
  patterns_json.py, patterns_xml.py, patterns_dates.py; java_regex.py (Java's dialect).
* `AdminApi` (admin.py, admin_requests.py): `/__admin`, compatible with WireMock's clients.
* journal.py: the bounded request journal; loader.py: WireMock's directory layout;
  nearmiss.py: the 404 diff report.
* proxying.py (proxy stubs), recordings.py (`/__admin/recordings`, `--record-mappings`) over
  recorder.py, recordspec.py, recordfiles.py (exchanges in, WireMock files out, secrets masked).
* tls.py: HTTPS with a CA made at start or PEM files; webhooks.py: `serveEventListeners`.
"""

from seamline.mock.dsl import (
    Matcher,
    RequestBuilder,
    absent,
    and_,
    any_request,
    containing,
    delete,
    equal_to,
    equal_to_json,
    get,
    head,
    matching,
    matching_json_path,
    not_containing,
    not_matching,
    options,
    or_,
    patch,
    post,
    present,
    put,
)
from seamline.mock.errors import InvalidMapping, MappingLoadError, VerificationError
from seamline.mock.incoming import ReceivedRequest
from seamline.mock.mapping import StubMapping
from seamline.mock.server import MockServer, StubBuilder

__all__ = [
    "InvalidMapping",
    "MappingLoadError",
    "Matcher",
    "MockServer",
    "ReceivedRequest",
    "RequestBuilder",
    "StubBuilder",
    "StubMapping",
    "VerificationError",
    "absent",
    "and_",
    "any_request",
    "containing",
    "delete",
    "equal_to",
    "equal_to_json",
    "get",
    "head",
    "matching",
    "matching_json_path",
    "not_containing",
    "not_matching",
    "options",
    "or_",
    "patch",
    "post",
    "present",
    "put",
]
