//! SIGINT/SIGTERM for live runs: the handler only sets a flag (async-signal-safe); capture
//! loops poll it between reads, finish the packets they hold, flush flows and EVE and end.
//!
//! A second signal number, [`wake_signal`], has a no-op handler installed *without*
//! `SA_RESTART`: sending it to a thread blocked in `recv` (the NFQUEUE reader) makes the call
//! return `EINTR`, so that thread can do its periodic work or notice the shutdown.
#![allow(unsafe_code)]

use std::sync::atomic::{AtomicBool, Ordering};

static STOP: AtomicBool = AtomicBool::new(false);

extern "C" fn on_stop(_sig: libc::c_int) {
    STOP.store(true, Ordering::SeqCst);
}

extern "C" fn on_wake(_sig: libc::c_int) {}

/// The signal used to interrupt blocking reads (the first real-time signal).
pub fn wake_signal() -> libc::c_int {
    libc::SIGRTMIN()
}

fn install(sig: libc::c_int, handler: extern "C" fn(libc::c_int), restart: bool) -> std::io::Result<()> {
    // SAFETY: all-zero is a valid `sigaction`; the handler is an `extern "C"` function that
    // only touches an atomic, which is async-signal-safe; `sigemptyset` gets a valid mask.
    unsafe {
        let mut sa: libc::sigaction = std::mem::zeroed();
        sa.sa_sigaction = handler as usize;
        sa.sa_flags = if restart { libc::SA_RESTART } else { 0 };
        libc::sigemptyset(&mut sa.sa_mask);
        if libc::sigaction(sig, &sa, std::ptr::null_mut()) != 0 {
            return Err(std::io::Error::last_os_error());
        }
    }
    Ok(())
}

/// Installs the SIGINT/SIGTERM handlers (they make [`requested`] true) and the wake handler.
pub fn install_handlers() -> std::io::Result<()> {
    install(libc::SIGINT, on_stop, true)?;
    install(libc::SIGTERM, on_stop, true)?;
    install(wake_signal(), on_wake, false)
}

/// Whether SIGINT or SIGTERM arrived (or [`request`] was called).
pub fn requested() -> bool {
    STOP.load(Ordering::SeqCst)
}

/// Asks every live loop to stop, as a signal would (control socket `shutdown`, tests).
pub fn request() {
    STOP.store(true, Ordering::SeqCst);
}

/// Interrupts a blocking system call in `thread` (see the module doc).
pub fn wake(thread: libc::pthread_t) {
    // SAFETY: `thread` comes from a `JoinHandle` the caller still holds, so the thread has
    // not been joined (it may have exited, in which case glibc returns ESRCH, ignored).
    unsafe {
        libc::pthread_kill(thread, wake_signal());
    }
}
