//! One refresh at a time: an async turnstile for the futures of one thread.
//!
//! The client is driven from one thread (the browser's event loop; a `block_on` natively), so the
//! gate is a `Cell` and a list of wakers rather than a lock that threads contend for, and it keeps
//! the browser build free of std.

use alloc::vec::Vec;
use core::cell::{Cell, RefCell};
use core::future::poll_fn;
use core::task::{Poll, Waker};

/// Lets one holder through at a time; the others wait, in no particular order.
#[derive(Default)]
pub(crate) struct Gate {
    taken: Cell<bool>,
    waiting: RefCell<Vec<Waker>>,
}

/// The turn of the holder that got through; dropping it lets the next one in.
pub(crate) struct Turn<'a>(&'a Gate);

impl Gate {
    /// Waits until nobody holds the gate, then holds it.
    pub(crate) async fn enter(&self) -> Turn<'_> {
        poll_fn(|cx| {
            if self.taken.replace(true) {
                let mut waiting = self.waiting.borrow_mut();
                if !waiting.iter().any(|w| w.will_wake(cx.waker())) {
                    waiting.push(cx.waker().clone());
                }
                Poll::Pending
            } else {
                Poll::Ready(())
            }
        })
        .await;
        Turn(self)
    }
}

impl Drop for Turn<'_> {
    fn drop(&mut self) {
        self.0.taken.set(false);
        // Wake them all: the first to run takes the gate, the others queue again.
        let waiting = core::mem::take(&mut *self.0.waiting.borrow_mut());
        waiting.into_iter().for_each(Waker::wake);
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::Gate;
    use alloc::vec::Vec;
    use core::cell::RefCell;
    use futures_util::FutureExt as _;

    #[test]
    fn one_holder_at_a_time_and_everyone_gets_a_turn() {
        let gate = Gate::default();
        let log = RefCell::new(Vec::new());
        let holder = |id: u32| {
            let (gate, log) = (&gate, &log);
            async move {
                let _turn = gate.enter().await;
                log.borrow_mut().push((id, "in"));
                // Give the others a chance to run while this one holds the gate.
                let mut yielded = false;
                core::future::poll_fn(|cx| {
                    if yielded {
                        return core::task::Poll::Ready(());
                    }
                    yielded = true;
                    cx.waker().wake_by_ref();
                    core::task::Poll::Pending
                })
                .await;
                log.borrow_mut().push((id, "out"));
            }
        };
        futures_executor::block_on(async {
            futures_util::join!(holder(1), holder(2), holder(3));
        });
        let log = log.into_inner();
        assert_eq!(log.len(), 6);
        for pair in log.chunks(2) {
            assert_eq!((pair[0].0, pair[0].1, pair[1].1), (pair[1].0, "in", "out"), "{log:?}");
        }
        // A holder that is dropped while waiting leaves the gate usable.
        let turn = gate.enter().now_or_never().unwrap();
        assert!(gate.enter().now_or_never().is_none());
        drop(turn);
        assert!(gate.enter().now_or_never().is_some());
    }
}
