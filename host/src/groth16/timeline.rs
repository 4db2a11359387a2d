//! A proof's timeline: every backend call of a proof and the host work between them, laid
//! out on lanes (the host CPU, the card's NTT/elementwise engine, the card's MSM engine) on
//! the card's clock. On a card the lanes' steps take their projected device time (busy
//! cycles at the preset clock, PCIe bound on a `model:` card) and the host steps their
//! measured time; on the CPU backend everything is host time.
//!
//! The prover issues its calls one after another, so today the schedule is sequential:
//! each step starts when the previous one ends, and [`Timeline::end_s`] is the proof's
//! projected time. Each step also knows its [`Chain`] in the proof's dependency graph (the
//! QAP and the H-MSM; the MSMs over the witness, which need only the assignment; the final
//! group sums, which need both): [`Timeline::overlapped`] lays the same steps out as a
//! prover issuing the two chains concurrently would run them, the host and the card each
//! doing one step at a time. [`Timeline::stream_period_s`] is what proofs in flight win for
//! a stream of witnesses.

use super::super::backend::{Alongside, Backend, BackendStats};
use crate::error::Result;
use crate::ntt::{Coset, Direction};
use ark_ec::pairing::Pairing;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Where a step runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum Lane {
    /// The host CPU.
    Host,
    /// The card's NTT / elementwise engine.
    CardNtt,
    /// The card's MSM engine.
    CardMsm,
    /// The host work of the MSMs issued beside the rest on threads of their own ([`Chain::G2`]
    /// and, beside a card's queues, the witness MSMs): their scalars' encoding and the
    /// combination of their sums. It shares the host CPU with the host lane (a step was
    /// measured using every core): the schedule never runs two host steps at once.
    HostBeside,
    /// The card's G2 MSM engine on its own job queue (queue 1, register map 4.2), running
    /// beside the other engines.
    CardG2,
}

impl Lane {
    /// Every lane, top to bottom in the picture.
    pub const ALL: [Lane; 5] = [
        Lane::Host,
        Lane::CardNtt,
        Lane::CardMsm,
        Lane::HostBeside,
        Lane::CardG2,
    ];

    /// A short name.
    pub fn name(self) -> &'static str {
        match self {
            Lane::Host => "host CPU",
            Lane::CardNtt => "card: NTT / pointwise",
            Lane::CardMsm => "card: MSM",
            Lane::HostBeside => "host CPU: threads beside",
            Lane::CardG2 => "card: G2 MSM (queue 1)",
        }
    }

    /// Whether the lane is host work (the rest is card work).
    pub fn is_host(self) -> bool {
        matches!(self, Lane::Host | Lane::HostBeside)
    }

    /// What a step on this lane occupies, for the schedule: the host CPU (both host
    /// lanes), the card's job queue 0 (NTT/pointwise and MSM lanes) or its queue 1 (the G2
    /// engine).
    fn resource(self) -> usize {
        match self {
            Lane::Host | Lane::HostBeside => 0,
            Lane::CardNtt | Lane::CardMsm => 1,
            Lane::CardG2 => 2,
        }
    }
}

/// Where a step sits in the proof's dependency graph.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum Chain {
    /// The witness map (matrix–vector products, NTTs, pointwise steps) and the MSM over h.
    Qap,
    /// The MSMs over the assignment (A, B in G1 and G2, the L query): independent of h.
    Witness,
    /// The group sums that combine both chains into the proof.
    Join,
    /// A G2 MSM over the assignment issued first and run beside both chains, on its own
    /// job queue ([`crate::backend::Alongside`]).
    G2,
}

/// One step of a proof.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Step {
    /// Where it runs.
    pub lane: Lane,
    /// What it is (`ntt`, `msm g1`, `bucket reduction`, `prover`, …).
    pub what: &'static str,
    /// Start, seconds from the proof's start.
    pub start_s: f64,
    /// End, seconds from the proof's start.
    pub end_s: f64,
    /// Device busy cycles of a card step (0 on the host).
    pub cycles: u64,
    /// Its place in the proof's dependency graph.
    pub chain: Chain,
}

/// A proof's steps in order.
#[derive(Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Timeline {
    /// The steps, in the order they ran.
    pub steps: Vec<Step>,
}

impl Timeline {
    /// When the last step ends: the proof's time on this schedule.
    pub fn end_s(&self) -> f64 {
        self.steps.iter().map(|s| s.end_s).fold(0.0, f64::max)
    }

    /// Seconds each lane is busy.
    pub fn busy_s(&self, lane: Lane) -> f64 {
        self.steps
            .iter()
            .filter(|s| s.lane == lane)
            .map(|s| s.end_s - s.start_s)
            .sum()
    }

    /// Seconds of host CPU work: both host lanes.
    pub fn host_busy_s(&self) -> f64 {
        Lane::ALL
            .into_iter()
            .filter(|l| l.is_host())
            .map(|l| self.busy_s(l))
            .sum()
    }

    /// The period of a stream of such proofs against one resident key on `cards` cards:
    /// with proofs in flight (one thread each), one proof's host steps run while another's
    /// card jobs do, so a proof ends every `max(host, queue 0 / cards, queue 1 / cards)`
    /// seconds — host = the host lanes' busy time, queue 0 = the NTT and MSM lanes' (one
    /// job at a time on the queue, so its engines add up), queue 1 = the G2 lane's (its
    /// own queue). A bound: it assumes enough proofs in flight and that the host steps of
    /// different proofs do not slow each other down.
    pub fn stream_period_s(&self, cards: usize) -> f64 {
        let queue0 = self.busy_s(Lane::CardNtt) + self.busy_s(Lane::CardMsm);
        let queue1 = self.busy_s(Lane::CardG2);
        let cards = cards.max(1) as f64;
        self.host_busy_s().max(queue0 / cards).max(queue1 / cards)
    }

    /// The same steps laid out by their dependencies: each chain's steps in their order,
    /// the chains interleaved, [`Chain::Join`] steps after all of them; the host does one
    /// step at a time (a host step was measured using every core) and so does each of the
    /// card's job queues. The best of the greedy list schedules over the chains' priority
    /// orders (`schedule`). What a prover that issued each chain from a thread of its own
    /// would reach, if its host steps took as long as when they ran alone.
    pub fn overlapped(&self) -> Timeline {
        let chain = |c: Chain| -> Vec<Step> {
            self.steps
                .iter()
                .filter(|s| s.chain == c)
                .cloned()
                .collect()
        };
        let tracks = [chain(Chain::Qap), chain(Chain::Witness), chain(Chain::G2)];
        let join = chain(Chain::Join);
        PRIORITIES
            .iter()
            .map(|order| schedule(order.map(|t| tracks[t].as_slice()), &join))
            .min_by(|a, b| a.end_s().total_cmp(&b.end_s()))
            .unwrap_or_default()
    }

    #[cfg(test)]
    fn push(&mut self, lane: Lane, what: &'static str, seconds: f64, cycles: u64, chain: Chain) {
        let start_s = self.end_s();
        self.push_at(start_s, lane, what, seconds, cycles, chain);
    }

    /// Adds a step from `start_s`; returns its end (`start_s` for an empty step, which is
    /// left out).
    fn push_at(
        &mut self,
        start_s: f64,
        lane: Lane,
        what: &'static str,
        seconds: f64,
        cycles: u64,
        chain: Chain,
    ) -> f64 {
        if seconds <= 0.0 {
            return start_s;
        }
        self.steps.push(Step {
            lane,
            what,
            start_s,
            end_s: start_s + seconds,
            cycles,
            chain,
        });
        start_s + seconds
    }

    /// Adds `step` (its lane, name, duration, cycles and chain) from `start_s`; returns
    /// its end.
    fn place(&mut self, start_s: f64, step: &Step) -> f64 {
        let seconds = step.end_s - step.start_s;
        self.push_at(
            start_s,
            step.lane,
            step.what,
            seconds,
            step.cycles,
            step.chain,
        )
    }

    /// The lanes the picture draws: the host and the card's NTT and MSM lanes always, the
    /// G2 lanes when a G2 MSM ran beside the rest.
    fn lanes(&self) -> Vec<Lane> {
        Lane::ALL
            .into_iter()
            .filter(|l| {
                matches!(l, Lane::Host | Lane::CardNtt | Lane::CardMsm)
                    || self.steps.iter().any(|s| s.lane == *l)
            })
            .collect()
    }

    /// The timeline as an SVG picture: one row per lane, one box per step, a time axis.
    pub fn svg(&self, title: &str) -> String {
        const W: f64 = 1000.0;
        const LEFT: f64 = 170.0;
        const ROW: f64 = 46.0;
        const TOP: f64 = 44.0;
        let end = self.end_s().max(1e-9);
        let x = |t: f64| LEFT + t / end * (W - LEFT - 20.0);
        let lanes = self.lanes();
        let height = TOP + ROW * lanes.len() as f64 + 40.0;
        let mut out = format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{W}\" height=\"{height}\" \
             font-family=\"sans-serif\" font-size=\"12\">\n\
             <rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n\
             <text x=\"10\" y=\"22\" font-size=\"15\">{}</text>\n",
            escape(title)
        );
        for (row, lane) in lanes.iter().enumerate() {
            let y = TOP + ROW * row as f64;
            let busy = self.busy_s(*lane);
            out += &format!(
                "<text x=\"10\" y=\"{:.1}\">{}</text>\n<text x=\"10\" y=\"{:.1}\" fill=\"#666\">{} busy</text>\n\
                 <line x1=\"{LEFT}\" x2=\"{:.1}\" y1=\"{:.1}\" y2=\"{:.1}\" stroke=\"#ddd\"/>\n",
                y + 18.0,
                lane.name(),
                y + 33.0,
                seconds(busy),
                W - 20.0,
                y + ROW - 4.0,
                y + ROW - 4.0
            );
        }
        for step in &self.steps {
            let row = lanes.iter().position(|l| *l == step.lane).unwrap_or(0);
            let y = TOP + ROW * row as f64 + 4.0;
            let (x0, x1) = (x(step.start_s), x(step.end_s));
            let width = (x1 - x0).max(1.0);
            out += &format!(
                "<rect x=\"{x0:.1}\" y=\"{y:.1}\" width=\"{width:.1}\" height=\"{:.1}\" fill=\"{}\" \
                 stroke=\"#333\" stroke-width=\"0.5\"><title>{}: {} ({})</title></rect>\n",
                ROW - 14.0,
                color(step.what),
                step.what,
                seconds(step.end_s - step.start_s),
                lane_cycles(step)
            );
            if width > 7.0 * step.what.len() as f64 {
                out += &format!(
                    "<text x=\"{:.1}\" y=\"{:.1}\">{}</text>\n",
                    x0 + 3.0,
                    y + 20.0,
                    step.what
                );
            }
        }
        let axis_y = TOP + ROW * lanes.len() as f64 + 14.0;
        for i in 0..=5 {
            let t = end * i as f64 / 5.0;
            out += &format!(
                "<text x=\"{:.1}\" y=\"{axis_y:.1}\" text-anchor=\"middle\" fill=\"#444\">{}</text>\n",
                x(t),
                seconds(t)
            );
        }
        out += "</svg>\n";
        out
    }
}

/// Every priority order of three tracks, for [`Timeline::overlapped`].
const PRIORITIES: [[usize; 3]; 6] = [
    [0, 1, 2],
    [0, 2, 1],
    [1, 0, 2],
    [1, 2, 0],
    [2, 0, 1],
    [2, 1, 0],
];

/// A greedy list schedule: each track's steps in their order, each step as early as its
/// track and its lane's resource ([`Lane::resource`]) allow — the step that can start
/// first goes first, the earlier track on a tie — then `join`'s steps after everything,
/// one after another. Durations are the steps' own.
fn schedule<const T: usize>(tracks: [&[Step]; T], join: &[Step]) -> Timeline {
    let mut free = [0.0f64; 3];
    let mut ready = [0.0f64; T];
    let mut next = [0usize; T];
    let mut out = Timeline::default();
    loop {
        let pick = (0..T)
            .filter_map(|t| {
                let step = tracks[t].get(next[t])?;
                Some((ready[t].max(free[step.lane.resource()]), t))
            })
            .min_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let Some((start_s, t)) = pick else { break };
        let step = &tracks[t][next[t]];
        next[t] += 1;
        let end_s = out.place(start_s, step);
        ready[t] = end_s;
        free[step.lane.resource()] = end_s;
    }
    let mut at = ready.iter().copied().fold(0.0, f64::max);
    for step in join {
        at = out.place(at.max(free[step.lane.resource()]), step);
    }
    out
}

fn lane_cycles(step: &Step) -> String {
    if step.cycles > 0 {
        format!("{} cycles", step.cycles)
    } else {
        "host".into()
    }
}

fn seconds(s: f64) -> String {
    if s >= 1.0 {
        format!("{s:.2} s")
    } else if s >= 1e-3 {
        format!("{:.1} ms", s * 1e3)
    } else {
        format!("{:.0} µs", s * 1e6)
    }
}

fn color(what: &str) -> &'static str {
    match what {
        "ntt" => "#7fb3d5",
        "pointwise" => "#a9cce3",
        "ntt host steps" => "#d6eaf8",
        "msm g1" => "#f5b041",
        "bucket reduction" => "#fad7a0",
        "msm encode" => "#fdebd0",
        "msm g2" => "#e59866",
        _ => "#c8c8c8",
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Which backend method a call was.
#[derive(Clone, Copy, Debug)]
enum Call {
    Ntt,
    Pointwise,
    MsmG1,
    MsmG2,
    /// The QAP step and h MSM in card memory ([`Backend::qap_h_msm`]).
    QapOnCard,
    /// The prover thread waiting for a call on another thread (not a step: its time is
    /// not the prover's work).
    Wait,
}

/// Which of the prover's threads issued a call: its own, or the thread it starts for the
/// G2 MSM when the backend runs it beside the rest ([`Alongside`]). The order is the
/// schedule's priority on a tie: the G2 MSM's short encoding feeds queue 1 before the
/// prover's long host steps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Track {
    /// The G2 MSM (B₂).
    G2 = 0,
    /// The prover's thread: the QAP step, the MSMs over h and the witness, the group sums.
    Prover = 1,
}

thread_local! {
    /// The track of the calls this thread makes now, and how it runs beside the prover.
    static TRACK: std::cell::Cell<Option<(Track, Alongside)>> =
        const { std::cell::Cell::new(None) };
}

/// One recorded backend call: when it ran (host clock) and the backend's work during it.
#[derive(Clone, Debug)]
struct Record {
    call: Call,
    chain: Chain,
    track: Track,
    /// How its track ran beside the prover's (`No`: on the prover's thread in its turn).
    alongside: Alongside,
    start: Instant,
    end: Instant,
    work: BackendStats,
}

/// A backend that forwards every call and records it, so a proof's timeline can be laid
/// out afterwards ([`Recorder::timeline`]).
pub(crate) struct Recorder<'a, E: Pairing> {
    inner: &'a dyn Backend<E>,
    started: Instant,
    records: Mutex<Vec<Record>>,
    chain: Mutex<Chain>,
}

impl<'a, E: Pairing> Recorder<'a, E> {
    pub(crate) fn new(inner: &'a dyn Backend<E>) -> Self {
        Self {
            inner,
            started: Instant::now(),
            records: Mutex::default(),
            chain: Mutex::new(Chain::Qap),
        }
    }

    /// The chain the prover thread's calls from now on (and the host work before each)
    /// belong to.
    pub(crate) fn set_chain(&self, chain: Chain) {
        *self.chain.lock().unwrap_or_else(|e| e.into_inner()) = chain;
    }

    /// Runs `f`, whose backend calls belong to `track`, run beside the prover's as `how`
    /// says (on a thread of their own, or computed in the prover's turn on a modelled
    /// card and laid out beside the rest).
    pub(crate) fn beside<T>(&self, track: Track, how: Alongside, f: impl FnOnce() -> T) -> T {
        let outer = TRACK.with(|t| t.replace(Some((track, how))));
        let out = f();
        TRACK.with(|t| t.set(outer));
        out
    }

    fn record<T>(&self, call: Call, f: impl FnOnce() -> Result<T>) -> Result<T> {
        let start = Instant::now();
        // This thread's work only: calls on other threads run meanwhile.
        let (out, work) = crate::backend::capture(f);
        let end = Instant::now();
        let (track, alongside) = TRACK
            .with(|t| t.get())
            .unwrap_or((Track::Prover, Alongside::No));
        let chain = match track {
            Track::Prover => *self.chain.lock().unwrap_or_else(|e| e.into_inner()),
            Track::G2 => Chain::G2,
        };
        self.records
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(Record {
                call,
                chain,
                track,
                alongside,
                start,
                end,
                work,
            });
        out
    }

    /// The prover thread waited from `start` to now for a call on another thread.
    pub(crate) fn waited(&self, start: Instant) {
        let record = Record {
            call: Call::Wait,
            chain: Chain::Join,
            track: Track::Prover,
            alongside: Alongside::No,
            start,
            end: Instant::now(),
            work: BackendStats::default(),
        };
        self.records
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(record);
    }

    /// Wall time of the prover thread between `from` and `to` that was not its own work:
    /// calls beside the rest computed in its turn (a modelled card's) and waits for calls
    /// on other threads. The gap between two calls less these is the prover's.
    fn not_the_provers(records: &[Record], from: Instant, to: Instant) -> Duration {
        records
            .iter()
            .filter(|r| {
                (r.alongside == Alongside::Modelled || matches!(r.call, Call::Wait))
                    && r.start >= from
                    && r.end <= to
            })
            .map(|r| r.end.saturating_duration_since(r.start))
            .sum()
    }

    /// A call's steps: its device time on its card lane and its host share on `host` —
    /// or, where no card did the work, its wall time on `host`.
    fn call_steps(r: &Record, host: Lane, chain: Chain) -> Vec<Step> {
        let mut steps = vec![];
        let mut push = |lane, what, seconds: f64, cycles| {
            if seconds > 0.0 {
                steps.push(Step {
                    lane,
                    what,
                    start_s: 0.0,
                    end_s: seconds,
                    cycles,
                    chain,
                });
            }
        };
        let wall = r.end.saturating_duration_since(r.start).as_secs_f64();
        let device = r.work.device;
        let on_card = device.jobs > 0;
        match r.call {
            Call::Ntt | Call::Pointwise if on_card => {
                let what = if matches!(r.call, Call::Ntt) {
                    "ntt"
                } else {
                    "pointwise"
                };
                push(Lane::CardNtt, what, device.projected_s, device.busy_cycles);
                push(
                    host,
                    "ntt host steps",
                    r.work.ntt_host_time.as_secs_f64(),
                    0,
                );
            }
            Call::MsmG1 if on_card => {
                let m = r.work.msm_device;
                push(host, "msm encode", m.encode_s, 0);
                push(Lane::CardMsm, "msm g1", m.projected_s, m.busy_cycles);
                push(host, "bucket reduction", m.reduce_s, 0);
            }
            Call::MsmG2 if on_card => {
                // The G2 engine: on its own queue's lane, or drawn on the MSM lane where
                // it shares queue 0 (a board of one queue).
                let m = r.work.msm_g2_device;
                let lane = if r.track == Track::G2 {
                    Lane::CardG2
                } else {
                    Lane::CardMsm
                };
                push(host, "msm encode", m.encode_s, 0);
                push(lane, "msm g2", m.projected_s, m.busy_cycles);
                push(host, "g2 window sums", m.reduce_s, 0);
            }
            Call::QapOnCard => {
                // Uploads, transforms and pointwise jobs on the NTT lane, the h MSM on the
                // MSM lane after them; the host encoded the three uploads.
                let m = r.work.msm_device;
                let qap_s = (device.projected_s - m.projected_s).max(0.0);
                let qap_cycles = device.busy_cycles.saturating_sub(m.busy_cycles);
                push(host, "qap uploads", r.work.ntt_host_time.as_secs_f64(), 0);
                push(Lane::CardNtt, "qap in card memory", qap_s, qap_cycles);
                push(Lane::CardMsm, "msm g1", m.projected_s, m.busy_cycles);
                push(host, "bucket reduction", m.reduce_s, 0);
            }
            Call::Ntt => push(host, "ntt", wall, 0),
            Call::Pointwise => push(host, "pointwise", wall, 0),
            Call::MsmG1 => push(host, "msm g1", wall, 0),
            Call::MsmG2 => push(host, "msm g2", wall, 0),
            Call::Wait => {}
        }
        steps
    }

    /// The proof's schedule: the prover thread's steps (host work between calls, less
    /// `verify`, which the report keeps apart, at the end; then each call's steps), and
    /// the steps of the calls its threads beside issued, each track in its order, laid out
    /// by [`schedule`] — the host one step at a time, each card queue one job at a time —
    /// and the proof's last step after all of them. On a backend without such threads it
    /// is the prover's calls one after another.
    pub(crate) fn timeline(&self, verify: Duration) -> Timeline {
        let records = self
            .records
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        let mut tracks: [Vec<Step>; 2] = Default::default();
        let mut last = self.started;
        for r in records.iter().filter(|r| !matches!(r.call, Call::Wait)) {
            if r.track != Track::Prover {
                let steps = Self::call_steps(r, Lane::HostBeside, r.chain);
                tracks[r.track as usize].extend(steps);
                continue;
            }
            let gap = r.start.saturating_duration_since(last)
                - Self::not_the_provers(&records, last, r.start);
            let prover = &mut tracks[Track::Prover as usize];
            if gap > Duration::ZERO {
                prover.push(Step {
                    lane: Lane::Host,
                    what: "prover",
                    start_s: 0.0,
                    end_s: gap.as_secs_f64(),
                    cycles: 0,
                    chain: r.chain,
                });
            }
            prover.extend(Self::call_steps(r, Lane::Host, r.chain));
            last = r.end;
        }
        let now = Instant::now();
        let tail = now
            .saturating_duration_since(last)
            .saturating_sub(Self::not_the_provers(&records, last, now))
            .saturating_sub(verify);
        let join = Step {
            lane: Lane::Host,
            what: "prover",
            start_s: 0.0,
            end_s: tail.as_secs_f64(),
            cycles: 0,
            chain: Chain::Join,
        };
        let [g2, prover] = &tracks;
        let join = if tail > Duration::ZERO {
            vec![join]
        } else {
            vec![]
        };
        schedule([g2.as_slice(), prover], &join)
    }
}

impl<E: Pairing> Backend<E> for Recorder<'_, E> {
    fn describe(&self) -> String {
        self.inner.describe()
    }
    fn msm_g1(&self, bases: &[E::G1Affine], scalars: &[E::ScalarField]) -> Result<E::G1> {
        self.record(Call::MsmG1, || self.inner.msm_g1(bases, scalars))
    }
    fn msm_g2(&self, bases: &[E::G2Affine], scalars: &[E::ScalarField]) -> Result<E::G2> {
        self.record(Call::MsmG2, || self.inner.msm_g2(bases, scalars))
    }
    fn ntt(
        &self,
        values: &mut [E::ScalarField],
        direction: Direction,
        coset: Coset<E::ScalarField>,
    ) -> Result<()> {
        self.record(Call::Ntt, || self.inner.ntt(values, direction, coset))
    }
    fn ntt_batch(
        &self,
        values: &mut [E::ScalarField],
        log_n: u32,
        direction: Direction,
    ) -> Result<()> {
        self.record(Call::Ntt, || self.inner.ntt_batch(values, log_n, direction))
    }
    fn capabilities(&self) -> Option<crate::driver::kernel::Capabilities> {
        self.inner.capabilities()
    }
    fn mul_assign(&self, a: &mut [E::ScalarField], b: &[E::ScalarField]) -> Result<()> {
        self.record(Call::Pointwise, || self.inner.mul_assign(a, b))
    }
    fn sub_assign(&self, a: &mut [E::ScalarField], b: &[E::ScalarField]) -> Result<()> {
        self.record(Call::Pointwise, || self.inner.sub_assign(a, b))
    }
    fn stats(&self) -> BackendStats {
        self.inner.stats()
    }
    fn g2_alongside(&self) -> Alongside {
        self.inner.g2_alongside()
    }
    fn qap_h_msm(
        &self,
        abc: [&[E::ScalarField]; 3],
        h_query: &[E::G1Affine],
        reduction: crate::backend::Reduction<E::ScalarField>,
    ) -> Option<Result<E::G1>> {
        let out = self.record(Call::QapOnCard, || {
            self.inner.qap_h_msm(abc, h_query, reduction).transpose()
        });
        if matches!(out, Ok(None)) {
            // Not run: no step to draw.
            self.records.lock().unwrap_or_else(|e| e.into_inner()).pop();
        }
        out.transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_follow_one_another_and_draw() {
        let mut t = Timeline::default();
        t.push(Lane::Host, "prover", 0.002, 0, Chain::Qap);
        t.push(Lane::CardNtt, "ntt", 0.001, 250_000, Chain::Qap);
        t.push(Lane::CardMsm, "msm g1", 0.004, 1_000_000, Chain::Qap);
        t.push(Lane::Host, "bucket reduction", 0.0, 0, Chain::Qap);
        assert_eq!(t.steps.len(), 3, "empty steps are left out");
        assert!((t.end_s() - 0.007).abs() < 1e-12);
        assert_eq!(t.steps[1].start_s, 0.002);
        assert!((t.busy_s(Lane::CardMsm) - 0.004).abs() < 1e-12);
        let svg = t.svg("proof <1>");
        assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
        assert!(svg.contains("proof &lt;1&gt;") && svg.contains("1000000 cycles"));
        assert_eq!(svg.matches("<rect x=").count(), 3);
        // A stream: the card's 5 ms bound it on one card and 5 / 2 ms on two; on four the
        // host's 2 ms do.
        assert!((t.stream_period_s(1) - 0.005).abs() < 1e-12);
        assert!((t.stream_period_s(2) - 0.0025).abs() < 1e-12);
        assert!(
            (t.stream_period_s(4) - 0.002).abs() < 1e-12,
            "the host bounds it"
        );
    }

    #[test]
    fn overlapped_steps_keep_their_chain_order_and_share_host_and_card() {
        let ms = 1e-3;
        let mut t = Timeline::default();
        t.push(Lane::Host, "prover", 2.0 * ms, 0, Chain::Qap);
        t.push(Lane::CardNtt, "ntt", 1.0 * ms, 1, Chain::Qap);
        t.push(Lane::Host, "ntt host steps", 3.0 * ms, 0, Chain::Qap);
        t.push(Lane::CardMsm, "msm g1", 1.0 * ms, 1, Chain::Qap);
        t.push(Lane::Host, "msm encode", 0.5 * ms, 0, Chain::Witness);
        t.push(Lane::CardMsm, "msm g2", 4.0 * ms, 1, Chain::Witness);
        t.push(Lane::Host, "prover", 0.5 * ms, 0, Chain::Join);
        assert!((t.end_s() - 12.0 * ms).abs() < 1e-12);
        let o = t.overlapped();
        assert_eq!(o.steps.len(), t.steps.len());
        // Worked by hand: the witness chain's encode fits after the QAP's first host step
        // and its G2 MSM runs on the card (3–7 ms) while the host does the NTT's host steps
        // (3–6 ms); the H-MSM waits for the card (7–8 ms), the join follows (8–8.5 ms).
        assert!((o.end_s() - 8.5 * ms).abs() < 1e-12, "{}", o.end_s());
        let g2 = o.steps.iter().find(|s| s.what == "msm g2").unwrap();
        assert!((g2.start_s - 3.0 * ms).abs() < 1e-12);
        // Durations kept; the host and the card never do two steps at once; each chain in
        // its order; the join after everything else.
        for s in &o.steps {
            let before = t
                .steps
                .iter()
                .find(|b| b.what == s.what && b.chain == s.chain);
            let d = before.unwrap();
            assert!(((s.end_s - s.start_s) - (d.end_s - d.start_s)).abs() < 1e-12);
        }
        for (i, a) in o.steps.iter().enumerate() {
            for b in &o.steps[i + 1..] {
                let same = (a.lane == Lane::Host) == (b.lane == Lane::Host);
                if same {
                    assert!(a.end_s <= b.start_s + 1e-12 || b.end_s <= a.start_s + 1e-12);
                }
            }
        }
        for chain in [Chain::Qap, Chain::Witness] {
            let ends: Vec<_> = o.steps.iter().filter(|s| s.chain == chain).collect();
            assert!(ends.windows(2).all(|w| w[0].end_s <= w[1].start_s + 1e-12));
        }
        let join = o.steps.iter().find(|s| s.chain == Chain::Join).unwrap();
        assert!(o
            .steps
            .iter()
            .all(|s| s.chain == Chain::Join || s.end_s <= join.start_s + 1e-12));
        // Nothing to overlap: a single chain keeps the sequential schedule.
        let mut one = Timeline::default();
        one.push(Lane::Host, "prover", 1.0 * ms, 0, Chain::Qap);
        one.push(Lane::CardMsm, "msm g1", 2.0 * ms, 1, Chain::Qap);
        assert_eq!(one.overlapped(), one);
    }

    #[test]
    fn a_g2_msm_beside_the_prover_has_its_own_lanes_and_queue() {
        let ms = 1e-3;
        let mut t = Timeline::default();
        // The prover thread: 2 ms host, 6 ms on queue 0's NTT lane; beside it from 0: 1 ms
        // encoding, 10 ms on queue 1; the join after both.
        let mut at = t.push_at(0.0, Lane::Host, "prover", 2.0 * ms, 0, Chain::Qap);
        at = t.push_at(at, Lane::CardNtt, "ntt", 6.0 * ms, 6, Chain::Qap);
        let g2 = t.push_at(0.0, Lane::HostBeside, "msm encode", 1.0 * ms, 0, Chain::G2);
        let g2 = t.push_at(g2, Lane::CardG2, "msm g2", 10.0 * ms, 10, Chain::G2);
        assert!((at - 8.0 * ms).abs() < 1e-12 && (g2 - 11.0 * ms).abs() < 1e-12);
        t.push_at(at.max(g2), Lane::Host, "prover", 1.0 * ms, 0, Chain::Join);
        assert!(
            (t.end_s() - 12.0 * ms).abs() < 1e-12,
            "max of the two, not the sum"
        );
        assert!((t.host_busy_s() - 4.0 * ms).abs() < 1e-12);
        // A stream: queue 1's 10 ms bound it on one card (queue 0: 6 ms, host: 4 ms).
        assert!((t.stream_period_s(1) - 10.0 * ms).abs() < 1e-12);
        assert!(
            (t.stream_period_s(4) - 4.0 * ms).abs() < 1e-12,
            "the host then"
        );
        // Overlapping the chains keeps the G2 steps where they are and the join after them.
        let o = t.overlapped();
        for step in t.steps.iter().filter(|s| s.chain == Chain::G2) {
            assert!(o.steps.contains(step));
        }
        assert!((o.end_s() - 12.0 * ms).abs() < 1e-12);
        // The picture draws the G2 lanes only when they were used.
        assert!(t.svg("g2").contains("card: G2 MSM (queue 1)"));
        let mut plain = Timeline::default();
        plain.push(Lane::Host, "prover", 1.0 * ms, 0, Chain::Qap);
        assert!(!plain.svg("plain").contains("queue 1"));
    }
}
