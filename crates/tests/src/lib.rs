//! Integration and end-to-end tests for sfdesk live under `tests/`; this library is empty.
