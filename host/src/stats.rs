//! Arithmetic on measurement reports, generated once: a report is a struct of measures
//! (counts, cycles, seconds, durations, optional simulator cycles, nested reports), and
//! [`measures!`](crate::measures) derives its sum and difference field by field, so adding a field to a
//! report cannot be forgotten in its arithmetic (the struct literal must name them all).

use std::time::Duration;

/// A quantity that adds up over jobs and calls.
pub trait Measure: Copy {
    /// The sum of two measurements.
    fn plus(self, other: Self) -> Self;
    /// `self − earlier` for cumulative measurements (counts never go below zero).
    fn minus(self, earlier: Self) -> Self;
}

macro_rules! counts {
    ($($t:ty),*) => {$(
        impl Measure for $t {
            fn plus(self, other: Self) -> Self {
                self + other
            }
            fn minus(self, earlier: Self) -> Self {
                self.saturating_sub(earlier)
            }
        }
    )*};
}
counts!(usize, u64);

impl Measure for f64 {
    fn plus(self, other: Self) -> Self {
        self + other
    }
    fn minus(self, earlier: Self) -> Self {
        self - earlier
    }
}

impl Measure for Duration {
    fn plus(self, other: Self) -> Self {
        self + other
    }
    fn minus(self, earlier: Self) -> Self {
        self.saturating_sub(earlier)
    }
}

/// Simulator cycles: known only on a simulated device; a sum keeps what is known.
impl Measure for Option<u64> {
    fn plus(self, other: Self) -> Self {
        match (self, other) {
            (Some(a), Some(b)) => Some(a + b),
            (a, b) => a.or(b),
        }
    }
    fn minus(self, earlier: Self) -> Self {
        match (self, earlier) {
            (Some(a), Some(b)) => Some(a.saturating_sub(b)),
            (a, _) => a,
        }
    }
}

/// Implements [`Measure`] for a report struct from its field list (every field).
#[macro_export]
#[doc(hidden)]
macro_rules! measures {
    ($t:ty { $($field:ident),* $(,)? }) => {
        impl $crate::stats::Measure for $t {
            fn plus(self, other: Self) -> Self {
                Self { $($field: $crate::stats::Measure::plus(self.$field, other.$field)),* }
            }
            fn minus(self, earlier: Self) -> Self {
                Self { $($field: $crate::stats::Measure::minus(self.$field, earlier.$field)),* }
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Clone, Copy, Debug, Default, PartialEq)]
    struct Report {
        jobs: usize,
        seconds: f64,
        sim: Option<u64>,
        time: Duration,
    }
    measures!(Report {
        jobs,
        seconds,
        sim,
        time
    });

    #[test]
    fn sums_and_differences_go_field_by_field() {
        let a = Report {
            jobs: 2,
            seconds: 1.5,
            sim: Some(10),
            time: Duration::from_millis(5),
        };
        let b = Report {
            jobs: 1,
            seconds: 0.5,
            sim: None,
            time: Duration::from_millis(2),
        };
        let s = a.plus(b);
        assert_eq!((s.jobs, s.seconds, s.sim), (3, 2.0, Some(10)));
        assert_eq!(s.time, Duration::from_millis(7));
        assert_eq!(s.minus(b).jobs, a.jobs);
        assert_eq!(Some(3u64).minus(Some(5)), Some(0), "never below zero");
    }
}
