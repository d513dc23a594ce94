//! The `oauth-admin` command-line tool's logic (owned by the CLI work; see issue 4).
