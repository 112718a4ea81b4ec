//! Asking for memory ahead of its use.

/// Asks for the cache line holding `p`; a hint that cannot fault.
#[inline(always)]
pub(crate) fn prefetch<T: ?Sized>(p: Option<&T>) {
    #[cfg(target_arch = "x86_64")]
    if let Some(p) = p {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        // SAFETY: SSE is always available on x86-64, and a prefetch only
        // hints at an address (here a valid reference); it reads nothing.
        unsafe { _mm_prefetch::<_MM_HINT_T0>((p as *const T).cast::<i8>()) };
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
}
