//! The stream checksums PERF_H2C_SUM and PERF_C2H_SUM: one 32-bit register per direction,
//! updated on every beat handshake of the board's streams and cleared when a job starts.
//! The function is `zkpipe_spec::wire::stream_checksum`, the one the driver computes over
//! the bytes it sent and received; a test runs both over the same beats.

use super::kernel::BEAT_BITS;
use crate::rtl::*;
use zkpipe_spec::wire::CHECKSUM_LANES;

/// `rotl(x, by)` of a 32-bit expression (assigned to a 32-bit signal, which drops the
/// bits shifted out).
fn rotl32(x: Expr, by: usize) -> Expr {
    if by == 0 {
        x
    } else {
        or(shl(x.clone(), by), shr(x, 32 - by))
    }
}

/// `wire::checksum_fold` of a beat: lane j rotated left by j, all XORed.
pub fn fold(beat: Expr) -> Expr {
    debug_assert_eq!(CHECKSUM_LANES * 32, BEAT_BITS);
    (0..CHECKSUM_LANES)
        .map(|j| rotl32(slice(beat.clone(), 32 * j, 32), j))
        .reduce(xor)
        .expect("a beat has lanes")
}

/// The next state of checksum register `reg` (a `DFF<Bits<32>>`): 0 on `clear`, else
/// `rotl(sum, 1) ⊕ fold(beat)` when `fire` (a handshake), else held.
pub fn update(reg: &str, clear: Expr, fire: Expr, beat: Expr) -> Vec<Stmt> {
    vec![
        clock_only(reg),
        if_else(
            clear,
            vec![assign(d(reg), lit_u(0, 32))],
            vec![mux_assign(
                &d(reg),
                fire,
                xor(rotl32(q(reg), 1), fold(beat)),
                q(reg),
            )],
        ),
    ]
}
