//! The sfdesk sidebar widget.
fn main() {}
