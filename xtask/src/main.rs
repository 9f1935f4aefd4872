//! sfdesk's task runner.
fn main() {}
