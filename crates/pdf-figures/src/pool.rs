//! Work shared among threads: the pages to read, the layouts to analyse and the pages to
//! render are all jobs taken from one shared counter by up to `--threads` threads, each with
//! state of its own (hayro's caches are not shared between threads).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread::{Scope, ScopedJoinHandle};

/// Stack of every worker thread. hayro recurses once per nested form, pattern and glyph (up to
/// its cap of 50 levels), which a spawned thread's default 2 MiB does not always hold; the main
/// thread has 8 MiB. Untouched stack pages cost no memory.
const WORKER_STACK: usize = 64 << 20;

/// Starts a scoped worker thread with a large stack; `None` when the system refuses a thread,
/// and the caller then does the work itself.
pub(crate) fn spawn_worker<'scope, T: Send + 'scope>(
    scope: &'scope Scope<'scope, '_>,
    f: impl FnOnce() -> T + Send + 'scope,
) -> Option<ScopedJoinHandle<'scope, T>> {
    std::thread::Builder::new()
        .stack_size(WORKER_STACK)
        .spawn_scoped(scope, f)
        .ok()
}

/// What one thread did: its state as `finish` left it, and the (job, result) pairs in the order
/// it did them; or the panic that stopped it.
pub type ThreadResult<F, R> = std::thread::Result<(F, Vec<(usize, R)>)>;

/// Runs `work(state, job)` for every job of `order`, in that order, on up to `threads` threads
/// that take the jobs from a shared counter. Each thread makes its state with `init` and hands
/// it over through `finish`. This thread first runs `side`, then takes jobs too, so a helper
/// thread that cannot be started only makes the work slower. Returns each thread's result (this
/// thread's first) and what `side` returned.
pub fn share_jobs<S, R: Send, F: Send, T>(
    order: &[usize],
    threads: usize,
    init: impl Fn() -> S + Sync,
    work: impl Fn(&mut S, usize) -> R + Sync,
    finish: impl Fn(S) -> F + Sync,
    side: impl FnOnce() -> T,
) -> (Vec<ThreadResult<F, R>>, T) {
    let next = AtomicUsize::new(0);
    let worker = || {
        let mut state = init();
        let mut done = Vec::new();
        while let Some(&job) = order.get(next.fetch_add(1, Ordering::Relaxed)) {
            done.push((job, work(&mut state, job)));
        }
        (finish(state), done)
    };
    std::thread::scope(|scope| {
        let helpers: Vec<_> = (1..threads.clamp(1, order.len().max(1)))
            .filter_map(|_| spawn_worker(scope, worker))
            .collect();
        let side = side();
        let mine = worker();
        let all = std::iter::once(Ok(mine))
            .chain(helpers.into_iter().map(|h| h.join()))
            .collect();
        (all, side)
    })
}

/// `f(index, item)` for every item, on up to `threads` threads; the results in item order. A
/// panic of `f` is raised again here, as a sequential map would.
pub fn map_in_order<T: Sync, R: Send>(
    items: &[T],
    threads: usize,
    f: impl Fn(usize, &T) -> R + Sync,
) -> Vec<R> {
    let order: Vec<usize> = (0..items.len()).collect();
    let (threads, ()) = share_jobs(
        &order,
        threads,
        || (),
        |_, i| f(i, &items[i]),
        |_| (),
        || (),
    );
    let mut out: Vec<Option<R>> = items.iter().map(|_| None).collect();
    for thread in threads {
        match thread {
            Ok(((), done)) => done.into_iter().for_each(|(i, r)| out[i] = Some(r)),
            Err(panic) => std::panic::resume_unwind(panic),
        }
    }
    out.into_iter()
        .map(|r| r.expect("every job is done by a thread that did not panic"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_job_is_done_once_with_its_thread_state() {
        let order: Vec<usize> = (0..50).rev().collect();
        let (threads, side) = share_jobs(
            &order,
            3,
            Vec::new,
            |seen: &mut Vec<usize>, job| {
                seen.push(job);
                job * 2
            },
            |seen| seen,
            || "side",
        );
        assert_eq!(side, "side");
        let mut jobs = Vec::new();
        for t in threads {
            let (seen, done) = t.expect("no panic");
            // A thread's state saw exactly the jobs it reports, in the order of `order`.
            assert_eq!(seen, done.iter().map(|(j, _)| *j).collect::<Vec<_>>());
            assert!(seen.windows(2).all(|w| w[0] > w[1]));
            assert!(done.iter().all(|&(j, r)| r == j * 2));
            jobs.extend(seen);
        }
        jobs.sort();
        assert_eq!(jobs, (0..50).collect::<Vec<_>>());
    }

    #[test]
    fn map_in_order_keeps_item_order_and_raises_panics() {
        let items: Vec<u32> = (0..40).collect();
        assert_eq!(
            map_in_order(&items, 4, |i, x| (i as u32) + x),
            (0..40).map(|x| 2 * x).collect::<Vec<_>>()
        );
        let caught = std::panic::catch_unwind(|| {
            map_in_order(
                &items,
                2,
                |_, &x| if x == 17 { panic!("seventeen") } else { x },
            )
        });
        assert!(caught.is_err());
    }
}
