"""
The private core shared by the typed API clients (`uatcert.v3`, `uatcert.v2`, `uatcert.allsafe`).

Each client keeps its own public surface, exception tree, retry rules and models; what is the same
in all three lives here, parameterised by each API's exception classes:

- `errors`: the bases each API's error classes subclass, and the wrapping of httpx errors;
- `headers`: `Retry-After` and the provider's request ids (read with each API's own header list);
- `requests`: a path segment, batches of ids, the headers of a raw request;
- `body`: the bounds on reading one answer (a total deadline, a size cap);
- `exchange`: one HTTP exchange, sent, timed, told to the observers (lost answers included), and
  what one logical call has been through (`CallState`);
- `issuance`: the issuance hooks around one logical issuance and the outcome they hear;
- `retry`: backoff with full jitter, `Retry-After` first, and the one retry loop;
- `token`: the OAuth client-credentials token cache (clock, refresh margin, one renewal on 401);
- `parsing`: tolerant reading of success bodies and model validation with JSONPath-like field paths;
- `client`: the clients' common methods (context manager, observers; the token accessors of v3/v2).

What is *not* here, on purpose: each API's retry rule (`RetryPolicy.should_retry*`: AllSafe never
retries an allocation whose outcome is unknown, v2 also retries ERV codes and unparseable answers),
its status-to-class table, its error bodies (v3 error objects, v2 `meta.messages`, AllSafe's status
table), and the classification of transport errors for AllSafe (which also tells whether a request
provably never left).

Like the clients, it imports only `uatcert.events` and `uatcert.faults` from the project.
"""

from __future__ import annotations
