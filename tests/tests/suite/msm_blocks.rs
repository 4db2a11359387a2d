//! The Pippenger unit's sub-blocks (`zkpipe_hdl::msm::blocks`) under Verilator, each in a
//! tiny configuration, cycle by cycle against its software model: the FIFO (deferral FIFO
//! and point queue) through fills, drains, pushes when full and clears; the in-flight
//! tracker with random issues and probes; the memory (buckets, reduction sums) with
//! random reads and writes, read-first on one address; the reduction schedule over two
//! runs; the signed digit for every input, also checked against the window value it must
//! rebuild; the negation (p = 65521, two components) on edges and random pairs; the
//! window carries for every scalar of the test size (the model's carries and
//! digits rebuild the scalar: a unit test in zkpipe-hdl).

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use zkpipe_hdl::msm::blocks::fifo::{FifoConfig, FifoModel};
use zkpipe_hdl::msm::blocks::in_flight::{InFlightConfig, InFlightModel};
use zkpipe_hdl::msm::blocks::signed_digit::SignedDigitConfig;
use zkpipe_hdl::msm::blocks::SubBlock;
use zkpipe_sim::{Model, PortId};

const CYCLES: usize = 20_000;

/// The ports of a block's test top, by name (its top is built from the block's own port
/// list, so a missing one is a test bug).
fn ports<const N: usize>(m: &Model, names: [&str; N]) -> [PortId; N] {
    names.map(|n| m.port(n).unwrap())
}

fn bit(b: bool) -> [u64; 1] {
    [b as u64]
}

#[test]
fn fifo_matches_its_model() {
    let cfg = FifoConfig::TEST;
    let mut m = Model::new(&cfg.top_name()).unwrap();
    let [clear, push, din, pop, head, count] =
        ports(&m, ["clear", "push", "din", "pop", "head", "count"]);
    // Start empty whatever the power-up state.
    m.set(clear, &[1]).unwrap();
    m.tick(1);
    let mut model = FifoModel::new(&cfg);
    let mut rng = ChaCha8Rng::seed_from_u64(0xf1f0);
    let (mut fulls, mut dropped, mut popped) = (0, 0, 0);
    for cycle in 0..CYCLES {
        // Phases of mostly pushing and mostly popping, so the FIFO fills and drains.
        let filling = (cycle / 64) % 2 == 0;
        let want_push = rng.gen_bool(if filling { 0.8 } else { 0.3 });
        let want_pop = rng.gen_bool(if filling { 0.3 } else { 0.8 });
        let do_clear = rng.gen_ratio(1, 500);
        let value = rng.gen_range(0..256u64);
        assert_eq!(
            m.get(count)[0] as usize,
            model.count(),
            "count, cycle {cycle}"
        );
        if let Some(h) = model.head() {
            assert_eq!(m.get(head)[0], h, "head, cycle {cycle}");
        }
        if model.count() == cfg.depth {
            fulls += 1;
            if want_push {
                dropped += !want_pop as usize;
            }
        }
        popped += (want_pop && model.count() > 0) as usize;
        m.set(clear, &bit(do_clear)).unwrap();
        m.set(push, &bit(want_push)).unwrap();
        m.set(din, &[value]).unwrap();
        m.set(pop, &bit(want_pop)).unwrap();
        m.tick(1);
        model.clock(do_clear, want_push.then_some(value), want_pop);
    }
    // The edge cases were exercised.
    assert!(
        fulls > 100 && dropped > 10 && popped > 1000,
        "{fulls} {dropped} {popped}"
    );
}

#[test]
fn in_flight_tracker_matches_its_model() {
    let cfg = InFlightConfig::TEST;
    let mut m = Model::new(&cfg.top_name()).unwrap();
    let [issue, addr, probe0, probe1, hit0, hit1, any] = ports(
        &m,
        ["issue", "addr", "probe0", "probe1", "hit0", "hit1", "any"],
    );
    // Flush the power-up state: depth cycles without an issue.
    m.set(issue, &[0]).unwrap();
    m.tick(cfg.depth as u64);
    let mut model = InFlightModel::new(&cfg);
    let mut rng = ChaCha8Rng::seed_from_u64(0x1f11);
    let span = 1u64 << cfg.addr_bits;
    let (mut hits, mut misses, mut idle) = (0, 0, 0);
    for cycle in 0..CYCLES {
        // Bursts of issues and quiet stretches, so `any` goes both ways.
        let busy = (cycle / 16) % 3 != 0;
        let issued = (busy && rng.gen_bool(0.7)).then(|| rng.gen_range(0..span));
        let probes = [rng.gen_range(0..span), rng.gen_range(0..span)];
        m.set(issue, &bit(issued.is_some())).unwrap();
        m.set(addr, &[issued.unwrap_or(rng.gen_range(0..span))])
            .unwrap();
        m.set(probe0, &[probes[0]]).unwrap();
        m.set(probe1, &[probes[1]]).unwrap();
        m.eval();
        for (port, probe) in [(hit0, probes[0]), (hit1, probes[1])] {
            let expected = model.hit(probe);
            assert_eq!(
                m.get(port)[0] == 1,
                expected,
                "probe {probe}, cycle {cycle}"
            );
            if expected {
                hits += 1;
            } else {
                misses += 1;
            }
        }
        assert_eq!(m.get(any)[0] == 1, model.any(), "any, cycle {cycle}");
        idle += !model.any() as usize;
        m.tick(1);
        model.clock(issued);
    }
    assert!(
        hits > 1000 && misses > 1000 && idle > 100,
        "{hits} {misses} {idle}"
    );
}

#[test]
fn signed_digit_matches_its_model_for_every_input() {
    let cfg = SignedDigitConfig::TEST;
    let c = cfg.window_bits;
    let mut m = Model::new(&cfg.top_name()).unwrap();
    let [bits, carry, neg, mag] = ports(&m, ["bits", "carry", "neg", "mag"]);
    for b in 0..1u64 << c {
        for cy in [false, true] {
            m.set(bits, &[b]).unwrap();
            m.set(carry, &bit(cy)).unwrap();
            m.eval();
            let got = (m.get(neg)[0] == 1, m.get(mag)[0]);
            assert_eq!(got, cfg.digit(b, cy), "bits {b}, carry {cy}");
            // Independently: the digit and its carry out rebuild bits + carry in, and the
            // magnitude is at most 2^(c−1).
            let (n, g) = got;
            let value = if n { (1i64 << c) - g as i64 } else { g as i64 };
            assert_eq!(value, (b + cy as u64) as i64);
            assert!(g <= 1 << (c - 1));
        }
    }
}

#[test]
fn ram_matches_its_model() {
    use zkpipe_hdl::msm::blocks::ram::{RamConfig, RamModel};
    let cfg = RamConfig::TEST;
    let mut m = Model::new(&cfg.top_name()).unwrap();
    let [ren, raddr, q, wen, waddr, wdata] =
        ports(&m, ["ren", "raddr", "q", "wen", "waddr", "wdata"]);
    let mut model = RamModel::new(&cfg);
    let mut rng = ChaCha8Rng::seed_from_u64(0x4a3);
    let (mut checked, mut same_address) = (0, 0);
    for cycle in 0..CYCLES {
        if let Some(v) = model.q() {
            assert_eq!(m.get(q)[0], v, "q, cycle {cycle}");
            checked += 1;
        }
        let read = rng.gen_bool(0.6).then(|| rng.gen_range(0..cfg.depth));
        let write = rng.gen_bool(0.5).then(|| {
            (
                rng.gen_range(0..cfg.depth),
                rng.gen_range(0..1u64 << cfg.width),
            )
        });
        if let (Some(r), Some((w, _))) = (read, write) {
            same_address += (r == w) as usize;
        }
        m.set(ren, &bit(read.is_some())).unwrap();
        m.set(raddr, &[read.unwrap_or(0) as u64]).unwrap();
        m.set(wen, &bit(write.is_some())).unwrap();
        m.set(waddr, &[write.map_or(0, |w| w.0) as u64]).unwrap();
        m.set(wdata, &[write.map_or(0, |w| w.1)]).unwrap();
        m.tick(1);
        model.clock(read, write);
    }
    // Reads of written words, and reads during a write to the same word (read-first).
    assert!(
        checked > 10_000 && same_address > 500,
        "{checked} {same_address}"
    );
}

#[test]
fn reduce_schedule_matches_its_model() {
    use zkpipe_hdl::msm::blocks::reduce_schedule::ReduceScheduleConfig;
    let cfg = ReduceScheduleConfig::TEST;
    let plan = cfg.plan;
    let mut m = Model::new(&cfg.top_name()).unwrap();
    let outputs = ports(
        &m,
        [
            "on", "t", "ch", "baddr", "id1", "id2", "last", "v1", "t1", "ch1", "id1_1", "id2_1",
        ],
    );
    let [run, step_in] = ports(&m, ["run", "step"]);
    let read = |m: &Model| -> Vec<u64> { outputs.iter().map(|p| m.get(*p)[0]).collect() };
    assert!(plan.interval > 1, "the test steps on some cycles only");
    // Two reductions back to back with idle cycles between: the counters restart.
    for pass in 0..2 {
        m.set(run, &[0]).unwrap();
        m.tick(3);
        m.set(run, &[1]).unwrap();
        let mut before: Option<Vec<u64>> = None;
        let (mut s_steps, mut t_steps) = (0, 0);
        for cycle in 0..plan.cycles() {
            let steps = cfg.steps_at(cycle);
            m.set(step_in, &bit(steps)).unwrap();
            m.eval();
            let got = read(&m);
            let idx = cycle / plan.interval;
            let (round, slot) = (idx / plan.slots, idx % plan.slots);
            let step = cfg.step(round, slot).filter(|_| steps);
            let ctx = format!("pass {pass}, round {round}, slot {slot}");
            assert_eq!(got[0] == 1, step.is_some(), "on, {ctx}");
            if let Some(s) = step {
                assert_eq!(got[1] == 1, s.t, "t, {ctx}");
                assert_eq!(got[2] as usize, s.chain, "ch, {ctx}");
                assert_eq!(got[3] as usize, s.bucket, "baddr, {ctx}");
                assert_eq!(got[4] == 1, s.t_identity, "id1, {ctx}");
                assert_eq!(got[5] == 1, s.s_identity, "id2, {ctx}");
                if s.t {
                    t_steps += 1;
                } else {
                    s_steps += 1;
                }
            }
            assert_eq!(got[6] == 1, cycle == plan.cycles() - 1, "last, {ctx}");
            // The adder-input copies are this cycle's issue outputs one cycle later.
            if let Some(b) = &before {
                assert_eq!(
                    &got[7..12],
                    &[b[0], b[1], b[2], b[4], b[5]],
                    "delayed, {ctx}"
                );
            }
            before = Some(got);
            m.tick(1);
        }
        // Every chain got K S steps and K T steps.
        let k = plan.per_group * plan.chains;
        assert_eq!((s_steps, t_steps), (k, k));
    }
}

#[test]
fn window_carries_match_their_model_for_every_scalar() {
    use zkpipe_hdl::msm::blocks::window_carries::WindowCarriesConfig;
    let cfg = WindowCarriesConfig::TEST;
    let mut m = Model::new(&cfg.top_name()).unwrap();
    let [load, bits, carries] = ports(&m, ["load", "bits", "carries"]);
    let as_bits = |v: u64| -> Vec<bool> { (0..=cfg.windows).map(|w| v >> w & 1 == 1).collect() };
    let scalars = 1u64 << (cfg.windows * cfg.window_bits);
    let mut carried = 0;
    for scalar in 0..scalars {
        m.set(bits, &[scalar]).unwrap();
        m.set(load, &[1]).unwrap();
        m.tick(1);
        let expected = cfg.carries(scalar as u128);
        assert_eq!(as_bits(m.get(carries)[0]), expected, "scalar {scalar:#x}");
        carried += expected.iter().filter(|c| **c).count();
        // Without `load` the flags hold: another scalar does not change the carries.
        m.set(bits, &[scalar ^ (scalars - 1)]).unwrap();
        m.set(load, &[0]).unwrap();
        m.tick(1);
        assert_eq!(
            as_bits(m.get(carries)[0]),
            expected,
            "held, scalar {scalar:#x}"
        );
    }
    assert!(carried > 10_000, "{carried}");
}

#[test]
fn negate_matches_its_model() {
    use num_bigint::BigUint;
    use zkpipe_hdl::msm::blocks::negate::NegateConfig;
    let cfg = NegateConfig::test();
    let p: u64 = (&cfg.modulus).try_into().unwrap();
    let cw = cfg.component_bits;
    let mut m = Model::new(&cfg.top_name()).unwrap();
    let [load, y, ny] = ports(&m, ["load", "y", "ny"]);
    // Edges: 0, 1, p − 1, and values whose segments equal p's (the borrow-propagate case).
    let seg = cfg.segment_bits;
    let low = p & ((1 << seg) - 1);
    let high = p & !((1 << seg) - 1);
    let edges = [0, 1, 2, p - 1, p - 2, low, high, high | (low - 1), low + 1];
    let mut rng = ChaCha8Rng::seed_from_u64(0x7e9);
    let mut pairs: Vec<(u64, u64)> = edges
        .iter()
        .flat_map(|a| edges.iter().map(move |b| (*a, *b)))
        .collect();
    pairs.extend((0..CYCLES).map(|_| (rng.gen_range(0..p), rng.gen_range(0..p))));
    for &(c0, c1) in &pairs {
        m.set(y, &[c0 | c1 << cw]).unwrap();
        m.set(load, &[1]).unwrap();
        m.tick(1);
        let out = m.get(ny)[0];
        let got = [out & ((1 << cw) - 1), out >> cw];
        let expected = cfg.negate(&[BigUint::from(c0), BigUint::from(c1)]);
        let expected: Vec<u64> = expected.iter().map(|e| e.try_into().unwrap()).collect();
        assert_eq!(got.to_vec(), expected, "y = ({c0}, {c1})");
        // Independently: y + (−y) ≡ 0 (mod p).
        assert_eq!((c0 + got[0]) % p, 0);
        assert_eq!((c1 + got[1]) % p, 0);
        // Without `load` the result holds.
        m.set(y, &[0]).unwrap();
        m.set(load, &[0]).unwrap();
        m.tick(1);
        assert_eq!(m.get(ny)[0], out);
    }
}
