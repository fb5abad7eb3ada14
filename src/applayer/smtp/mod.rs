//! SMTP (in progress).
