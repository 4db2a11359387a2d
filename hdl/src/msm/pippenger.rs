//! `MsmUnit`: the board's Pippenger engine — resident base memory, window digits extracted
//! in hardware, and one or more **lanes**, each a complete point adder ([`PointAdd`])
//! issued every cycle with its own windows (w ≡ k mod lanes), bucket memory, deferral FIFO
//! for points whose bucket is still in its adder, and in-flight list. A point is fetched
//! once and pushed into every lane's point queue ([`MsmConfig::lane_queue`] deep) in the
//! same cycle, when all have room; a lane takes its next point from its queue (or straight
//! from the fetch stage when the queue is empty) as soon as it is done with the current
//! one, so lanes drift apart instead of waiting for each other. Windows rather than
//! buckets are split between lanes so that no bucket is ever shared: no conflicts between
//! adders to track, no arbitration on a bucket memory, and the lanes stay balanced
//! (⌈W/lanes⌉ or ⌊W/lanes⌋ windows each; interleaved, so sparse high windows spread over
//! all lanes). On presets with `reduce` the lanes then sum their own buckets (see
//! [`ReducePlan`]); otherwise the host reduces them (see `docs/ARCHITECTURE.md`, "MSM").
//!
//! Jobs (opcode in JOB_OPCODE, JOB_COUNT points, JOB_MSM_OFFSET first base index):
//! - **msm_load**: the host-to-card stream carries the affine bases in Montgomery form,
//!   [`MsmConfig::point_beats`] beats per point: x in the low lane (its top bit, always
//!   zero for x < p, set = the point at infinity), y in the next lane (same beat when
//!   2·W ≤ 512, else the next beat). They are stored at offset.. in base memory; one
//!   acknowledgement beat {offset, count} goes back.
//! - **msm_run**: the stream carries two scalars per beat (bits 255:0, then 511:256;
//!   zero after an odd count's last), Montgomery limbs taken as integers. For each
//!   scalar the unit reads base `offset + i`; each lane walks its windows, one per cycle,
//!   with **signed digits**: raw = bits [c·w, c·w + c) + carry; raw > 2^(c−1)
//!   becomes the digit raw − 2^c (carry 1 into the next window), else raw (carry 0). A
//!   digit ±m ≠ 0 (and a finite base) issues bucket[w][m] += ±P to the adder, −P being
//!   (x, p − y) computed on the way in (128-bit borrow chains: per-segment differences in
//!   one stage, the borrows on the way into the lane queues). W·c > scalar bits keeps the
//!   last carry inside the top window; the carry into every window is found at once (a
//!   W-bit carry chain over per-window generate/propagate flags) while the point waits in
//!   the fetch stages, so a lane needs no other lane's digits. A bucket already in
//!   its lane's adder (compared against the in-flight addresses) sends the point to the
//!   lane's deferral FIFO instead; the FIFO head is retried every cycle and issues as soon
//!   as its bucket is free (PipeZK's dynamic dispatch). After the last scalar the FIFOs and
//!   the adders drain, and every bucket (w, 1 ≤ m ≤ 2^(c−1)) is sent back as X, Y, Z (homogeneous projective,
//!   Montgomery form, one coordinate per beat, window-major, m ascending), clearing it to
//!   the identity on the way out: half the buckets and half the readout of unsigned digits.
//!   JOB_MSM_FLAGS lets the runs of one MSM share the buckets: *keep* starts from the
//!   buckets as the previous run left them, *hold* skips the readout (one acknowledgement
//!   beat instead), so a chunked MSM is read back and reduced once.
//!
//! Buckets start at the identity: a sweep clears them before the first run and after an
//! abort; a completed readout leaves them cleared, so later runs skip the sweep.
//!
//! The control is generated Verilog (rust-hdl has no memories with read enables and write
//! muxes of this shape); the adders are rust-hdl children; the window carries, −y, the
//! reduction schedule and each lane's signed digit, FIFOs, in-flight tracker and bucket
//! and sum memories are instances of the sub-blocks in [`super::blocks`] (parameterised
//! Verilog modules, each tested alone). The unit is
//! simulated with Verilator only.

use super::blocks::fifo::FifoConfig;
use super::blocks::in_flight::InFlightConfig;
use super::blocks::negate::NegateConfig;
use super::blocks::ram::RamConfig;
use super::blocks::reduce_schedule::ReduceScheduleConfig;
use super::blocks::signed_digit::SignedDigitConfig;
use super::blocks::window_carries::WindowCarriesConfig;
use super::blocks::{ceil_log2, SubBlock};
use super::g2_add::G2PointAdd;
use super::point_add::{AdderKind, PointAdd};
use crate::shell::kernel::BEAT_BITS;
use crate::shell::regs::{FaultInject, HwError, JobMsmFlags, Opcode, Status};
use num_bigint::BigUint;
use rust_hdl::core::prelude::*;

pub use zkpipe_spec::preset::{Group, MsmConfig, ReducePlan};

/// Bits of a bucket address in a lane's memory {window in the lane, magnitude − 1}.
pub fn bucket_addr_bits(cfg: &MsmConfig) -> usize {
    ceil_log2(cfg.lane_windows(0)).max(1) + cfg.window_bits - 1
}

/// When a lane's FIFOs are emptied: between jobs and on a flush.
const LANE_CLEAR: &str = "(state == S_FLUSH || state == S_IDLE)";

/// Longest borrow chain of the y negation in one pipeline stage (as `PipeAdd`).
const NEG_SEGMENT_BITS: usize = 128;

#[derive(LogicBlock)]
pub struct MsmUnit<const W: usize, const W2: usize> {
    pub clock: Signal<In, Clock>,
    pub start: Signal<In, Bit>,
    pub soft_reset: Signal<In, Bit>,
    pub opcode: Signal<In, Bits<32>>,
    pub count: Signal<In, Bits<32>>,
    pub offset: Signal<In, Bits<32>>,
    /// JOB_MSM_FLAGS (keep, hold).
    pub flags: Signal<In, Bits<32>>,
    /// FAULT_INJECT (test hook; zero in normal operation).
    pub fault: Signal<In, Bits<32>>,
    pub status: Signal<Out, Bits<32>>,
    pub done: Signal<Out, Bit>,
    pub perf_busy: Signal<Out, Bits<32>>,
    pub perf_in: Signal<Out, Bits<32>>,
    pub perf_out: Signal<Out, Bits<32>>,
    pub perf_stall: Signal<Out, Bits<32>>,
    pub perf_adds: Signal<Out, Bits<32>>,
    /// Additions issued to the least busy adder.
    pub perf_adds_min: Signal<Out, Bits<32>>,
    /// Cycles of the bucket reduction.
    pub perf_reduce: Signal<Out, Bits<32>>,
    pub perf_deferrals: Signal<Out, Bits<32>>,
    pub perf_accum: Signal<Out, Bits<32>>,
    pub h2c_tdata: Signal<In, Bits<BEAT_BITS>>,
    pub h2c_tvalid: Signal<In, Bit>,
    pub h2c_tlast: Signal<In, Bit>,
    pub h2c_tready: Signal<Out, Bit>,
    pub c2h_tdata: Signal<Out, Bits<BEAT_BITS>>,
    pub c2h_tvalid: Signal<Out, Bit>,
    pub c2h_tlast: Signal<Out, Bit>,
    pub c2h_tready: Signal<In, Bit>,
    /// One G1 adder per lane (`add$k` in the Verilog), or none in a G2 engine.
    add: Vec<PointAdd<W, W2>>,
    /// One G2 adder per lane (`add_g2$k`), or none in a G1 engine.
    add_g2: Vec<G2PointAdd<W, W2>>,
    _geometry: MsmConfig,
    _one: BigUint,
    _modulus: BigUint,
}

impl<const W: usize, const W2: usize> MsmUnit<W, W2> {
    pub fn new(cfg: &MsmConfig) -> Self {
        let geometry = *cfg;
        assert_eq!(geometry.field_width, W, "base-field width");
        assert!(geometry.fifo_depth.is_power_of_two() && geometry.fifo_depth >= 2);
        assert!(geometry.window_bits >= 2, "signed digits need c ≥ 2");
        assert!(
            geometry.lane_queue.is_power_of_two() && geometry.lane_queue >= 2,
            "lane queue depth a power of two ≥ 2"
        );
        assert!(
            (1..=geometry.windows).contains(&geometry.adders),
            "1 ≤ adders ≤ windows"
        );
        assert!(
            geometry.windows * geometry.window_bits > geometry.scalar_bits,
            "the signed digits' carry must stay in the top window"
        );
        assert_eq!(W % NEG_SEGMENT_BITS, 0);
        assert!(
            geometry.fits_wire(),
            "{} coordinates of {} bits do not fit one stream beat",
            geometry.group.name(),
            geometry.coord_width
        );
        assert!(
            geometry.interval == 1 || geometry.group == Group::G2,
            "G1 adders take an addition every cycle (only the G2 adder shares multipliers)"
        );
        assert!(geometry.interval < 1 << crate::field::dataflow::PHASE_BITS);
        // Adder tags: bucket address, bit 31 = a reduction step, bit 30 = its T sum.
        assert!(bucket_addr_bits(&geometry) <= 30 && geometry.log_bases < 32);
        let params = cfg.curve.base_field().params();
        let one = params.r_mod_p;
        Self {
            clock: Default::default(),
            start: Default::default(),
            soft_reset: Default::default(),
            opcode: Default::default(),
            count: Default::default(),
            offset: Default::default(),
            flags: Default::default(),
            fault: Default::default(),
            status: Default::default(),
            done: Default::default(),
            perf_busy: Default::default(),
            perf_in: Default::default(),
            perf_out: Default::default(),
            perf_stall: Default::default(),
            perf_adds: Default::default(),
            perf_adds_min: Default::default(),
            perf_reduce: Default::default(),
            perf_deferrals: Default::default(),
            perf_accum: Default::default(),
            h2c_tdata: Default::default(),
            h2c_tvalid: Default::default(),
            h2c_tlast: Default::default(),
            h2c_tready: Default::default(),
            c2h_tdata: Default::default(),
            c2h_tvalid: Default::default(),
            c2h_tlast: Default::default(),
            c2h_tready: Default::default(),
            add: match cfg.group {
                Group::G1 => (0..cfg.adders).map(|_| PointAdd::for_msm(cfg)).collect(),
                Group::G2 => Vec::new(),
            },
            add_g2: match cfg.group {
                Group::G1 => Vec::new(),
                Group::G2 => (0..cfg.adders)
                    .map(|_| {
                        G2PointAdd::new(cfg.curve, cfg.mul_style, AdderKind::of(cfg), cfg.interval)
                    })
                    .collect(),
            },
            _geometry: geometry,
            _one: one,
            _modulus: params.modulus,
        }
    }

    pub fn geometry(&self) -> MsmConfig {
        self._geometry
    }

    /// Latency of the point adder.
    pub fn adder_latency(&self) -> usize {
        match self._geometry.group {
            Group::G1 => self.add[0].latency(),
            Group::G2 => self.add_g2[0].latency(),
        }
    }

    /// The bucket reduction's schedule (None: the host reduces).
    pub fn reduce_plan(&self) -> Option<ReducePlan> {
        self._geometry.reduce_plan(self.adder_latency())
    }

    /// The generated control: see the module documentation.
    fn verilog(&self) -> String {
        let g = &self._geometry;
        // Coordinates are `comps` base-field elements of W bits: w bits in all.
        let w = g.coord_width;
        let comps = g.group.degree();
        let c = g.window_bits;
        let nw = g.windows;
        let lanes = g.adders;
        let sb = nw * c; // scalar shift register
        let take = sb.min(256);
        let ab = bucket_addr_bits(g);
        let nbl = g.lane_buckets();
        let nb = g.windows * g.buckets_per_window();
        let lb = g.log_bases;
        let cap = 1u64 << lb;
        let f = g.fifo_depth;
        let fb = ceil_log2(f);
        let half = 1u64 << (c - 1);
        // Buckets are in flight for L + 2 cycles (see `in_flight`); a flush waits as long.
        let in_flight = InFlightConfig::for_adder(self.adder_latency(), ab);
        let dd = in_flight.depth;
        let pb = g.point_beats;
        // The point moves from fetch to `next` (the digit carries and −y are registered then).
        let load_next = "!soft_reset && !start && (state == S_RUN) && f_to_n";
        let ident = format!("{{{w}'d0, {w}'h{:x}, {w}'d0}}", self._one);
        let one = format!("{w}'h{:x}", self._one);
        let plan = self.reduce_plan();
        let red = plan.map(|p| {
            reduce_verilog(&ReduceParams {
                plan: p,
                lanes,
                windows: nw,
                ab,
                jb: ab - (c - 1),
            })
        });
        let red_part =
            |f: &dyn Fn(&ReduceVerilog) -> String| red.as_ref().map(f).unwrap_or_default();
        let ops = Opcode::msm_ops(g.group);
        let ops = (ops.0 as u32, ops.1 as u32);
        let (e_busy, e_count, e_short, e_long, e_cfg, e_lost) = (
            HwError::StartWhileBusy as u8,
            HwError::CountOutOfRange as u8,
            HwError::ShortStream as u8,
            HwError::LongStream as u8,
            HwError::BadMsmConfig as u8,
            HwError::LostDeferral as u8,
        );
        // Writing a loaded point: {inf, y, x} from the x lane (top bit = infinity) and y.
        let store = |x_lane: &str, y: &str| {
            format!(
                "pmem[p_waddr] <= {{{x_lane}[{hi}], {y}, 1'b0, {x_lane}[{lo}:0]}};",
                hi = w - 1,
                lo = w - 2
            )
        };
        let load_beat = if pb == 1 {
            format!(
                "{store}\n        pt_idx <= pt_idx + 1;",
                store = store("h2c_tdata", &format!("h2c_tdata[{}:{w}]", 2 * w - 1))
            )
        } else {
            format!(
                "if (!in_count[0]) x_hold <= h2c_tdata[{hi}:0];\n        \
                 else begin\n          {store}\n          pt_idx <= pt_idx + 1;\n        end",
                hi = w - 1,
                store = store("x_hold", &format!("h2c_tdata[{}:0]", w - 1))
            )
        };
        let lane_text = |k: usize| {
            lane_verilog(&LaneParams {
                k,
                lanes,
                w,
                base_width: W,
                adder: match g.group {
                    Group::G1 => "add",
                    Group::G2 => "add_g2",
                },
                c,
                sb,
                ab,
                nbl,
                in_flight,
                f,
                fb,
                last_local: g.lane_windows(k) - 1,
                ident: &ident,
                f_drop: FaultInject::DROP_DEFERRAL.lsb,
                f_corrupt: FaultInject::CORRUPT_ADDER.lsb,
                f_corrupt_reduce: FaultInject::CORRUPT_REDUCE.lsb,
                one: &one,
                queue: g.lane_queue,
                reduce: plan.map(|p| (p.chains, chain_bits(g, &p))),
            })
        };
        let lane_parts: Vec<LaneVerilog> = (0..lanes).map(lane_text).collect();
        let join = |f: &dyn Fn(&LaneVerilog) -> &str| lane_parts.iter().map(f).collect::<String>();
        let all = |name: &str, op: &str| {
            (0..lanes)
                .map(|k| format!("{name}_{k}"))
                .collect::<Vec<_>>()
                .join(op)
        };
        let sum = |name: &str| {
            (0..lanes)
                .map(|k| format!("{{31'd0, {name}_{k}}}"))
                .collect::<Vec<_>>()
                .join(" + ")
        };
        let adds_min = (1..lanes).fold("adds_l_0".to_string(), |acc, k| {
            format!("((adds_l_{k} < {acc}) ? adds_l_{k} : {acc})")
        });
        let lanes_idle = (0..lanes)
            .map(|k| format!("!l_v_{k} && f_cnt_{k} == 0 && q_cnt_{k} == 0"))
            .collect::<Vec<_>>()
            .join(" && ");
        let readout_mux = (0..lanes)
            .map(|k| match plan {
                Some(_) => format!(
                    "            {k}: rb <= !red_mode ? bmem_q_{k} : q_st ? tacc_q_{k} : sacc_q_{k};\n"
                ),
                None => format!("            {k}: rb <= bmem_q_{k};\n"),
            })
            .collect::<String>();
        let lbits = ceil_log2(lanes).max(1);
        let infl_empty = format!("!({})", all("infl_any", " | "));
        format!(
            r#"
localparam S_IDLE = 4'd0, S_LOAD = 4'd1, S_CLEAR = 4'd2, S_RUN = 4'd3, S_DRAIN = 4'd4,
           S_READ = 4'd5, S_ACK = 4'd6, S_SINK = 4'd7, S_FLUSH = 4'd8, S_REDUCE = 4'd9;
reg [3:0] state;
// The adders' clock runs only while the unit is busy (a BUFGCE-style clock enable: the
// enable is latched while the clock is low, so the gated clock cannot glitch). An idle
// engine's datapath then neither toggles on a card nor costs simulation time.
reg adders_on;
always @(*) if (!clock) adders_on = (state != S_IDLE);
reg [7:0] err_r;
reg done_r, clean, is_load, hold_r;
reg [31:0] count_r, offset_r, in_count, out_count, beats_total, pt_idx;
reg [31:0] busy_c, in_c, out_c, stall_c, adds_c, defer_c, redo_c, accum_c, reduce_c;
reg [15:0] flush_k;
// Issue phase: the lanes and the reduction act when `slot` is high, and their adders take
// the operands a cycle later, at phase 0 (an addition every {interval} cycles: adders whose
// multipliers serve several products). Restarted with the accumulation and the
// reduction, and counting whenever an addition may be in flight.
reg [7:0] ph;
wire slot;
{slot_logic}// Card memory: resident bases {{inf, y, x}}.
{pmem_marker}reg [{pw}:0] pmem [0:{cap_last}];
reg [{pw}:0] pmem_q;
reg [{wm}:0] x_hold;
// Scalar pipeline: fetch (base read) -> next -> the lanes (each walks its windows).
// A beat carries two scalars: the first goes to fetch, the second waits in `h` (h_v) and
// goes to fetch next, while the stream is held.
reg f_v, n_v, h_v;
reg [{sbm}:0] f_s, n_s;
reg [{takem}:0] h_s;
reg [{pw}:0] n_p;
// −y of the point in `next`.
wire [{wm}:0] n_ny;
{negate}// Readout: lane, window in the lane, magnitude − 1.
reg [{abm}:0] r_a, clr_a;
reg [{lbm}:0] r_lane, q_lane;
reg [31:0] r_left;
reg q_v, q_last, rb_v, rb_last;
reg [1:0] r_k;
reg [{bw}:0] rb;
reg acc, xfer, rb_free, q_to_rb, fetch, n_push, f_to_n, take_h, take_s;
reg [31:0] p_waddr_full, p_raddr_full, adds_now, defers_now, redos_now, adds_min;
reg [{lbm_}:0] p_waddr, p_raddr;
// Signed digits: the carry into every window of the point in `next` (flags registered
// as it enters, the carry chain on the way to the lanes).
wire [{nw}:0] carry_in;
{carries}{red_decls}{lane_decls}
always @(*) begin

{red_comb}{lane_comb}
  // The point in `next` goes into every lane's queue when all have room (a lane that is
  // done and has an empty queue takes it directly).
  n_push = (state == S_RUN) && n_v && {queues_room};
{lane_load}  // Fetch and next move on together: a point per cycle when the lanes take them.
  f_to_n = f_v && (!n_v || n_push);
  h2c_tready = ((state == S_RUN) && !h_v && (in_count < count_r) && (!f_v || f_to_n))
            || ((state == S_LOAD) && (in_count < beats_total))
            || (state == S_SINK);
  acc = h2c_tvalid && h2c_tready;
  // A scalar enters fetch: from a beat's low half, or the held high half.
  take_h = (state == S_RUN) && h_v && (!f_v || f_to_n);
  take_s = (acc && state == S_RUN) || take_h;
  p_waddr_full = offset_r + pt_idx;
  p_raddr_full = offset_r + in_count;
  p_waddr = p_waddr_full[{lbm_}:0];
  p_raddr = p_raddr_full[{lbm_}:0];
  // Readout and the acknowledgement beat.
  c2h_tvalid = ((state == S_READ) && rb_v) || (state == S_ACK);
  c2h_tlast = (state == S_ACK) || (rb_last && r_k == 2'd2);
  c2h_tdata = {beat}'d0;
  if (state == S_ACK) c2h_tdata[63:0] = {{offset_r, count_r}};
  else if (r_k == 2'd0) c2h_tdata[{wm}:0] = rb[{wm}:0];
  else if (r_k == 2'd1) c2h_tdata[{wm}:0] = rb[{pwm}:{w}];
  else c2h_tdata[{wm}:0] = rb[{bw}:{pw2}];
  xfer = c2h_tvalid && c2h_tready;
  rb_free = !rb_v || (xfer && r_k == 2'd2);
  q_to_rb = (state == S_READ) && q_v && rb_free;
  fetch = (state == S_READ) && (r_left != 0) && (!q_v || q_to_rb);
  adds_now = {adds_sum};
  defers_now = {defers_sum};
  redos_now = {redos_sum};
  adds_min = {adds_min};
  status = ({{24'd0, err_r}} << {st_err}) | ({{31'd0, done_r}} << {st_done}) | ({{31'd0, state != S_IDLE}} << {st_busy});
  done = done_r;
  perf_busy = busy_c;
  perf_in = in_c;
  perf_out = out_c;
  perf_stall = stall_c;
  perf_adds = adds_c;
  perf_adds_min = adds_min;
  perf_deferrals = defer_c;
  perf_accum = accum_c;
  perf_reduce = reduce_c;
end
{red_seq}{lane_seq}
always @(posedge clock) begin
  if (state == S_RUN || state == S_REDUCE || (state == S_DRAIN && !({infl_empty})))
    ph <= (ph == 8'd{ph_last}) ? 8'd0 : ph + 8'd1;
  else ph <= 8'd0;
end
always @(posedge clock) begin
  // FAULT_INJECT corrupt_base: bit 0 of the run's first base point flipped on its read.
  if (take_s) pmem_q <= pmem[p_raddr]
    ^ {{{pw}'d0, fault[{f_base}] && in_count == 32'd0}};
end

// Control.
always @(posedge clock) begin
  if (soft_reset) begin
    state <= S_FLUSH;
    flush_k <= 16'd0;
    done_r <= 1'b0;
    err_r <= 8'd0;
    clean <= 1'b0;
    busy_c <= 0; in_c <= 0; out_c <= 0; stall_c <= 0; adds_c <= 0; defer_c <= 0; redo_c <= 0; accum_c <= 0; reduce_c <= 0;
  end else if (start) begin
    if (state != S_IDLE) begin
      err_r <= 8'd{e_busy};
      done_r <= 1'b1;
      clean <= 1'b0;
      state <= S_FLUSH;
      flush_k <= 16'd0;
    end else if (count == 32'd0 || count > 32'd{cap}) begin
      err_r <= 8'd{e_count};
      done_r <= 1'b1;
    end else if (offset > 32'd{cap} - count) begin
      err_r <= 8'd{e_cfg};
      done_r <= 1'b1;
    end else begin
      is_load <= (opcode == 32'd{op_load});{red_start}
      hold_r <= flags[{fl_hold}];
      count_r <= count;
      offset_r <= offset;
      beats_total <= count * {pb};
      in_count <= 0;
      out_count <= 0;
      pt_idx <= 0;
      done_r <= 1'b0;
      err_r <= 8'd0;
      busy_c <= 0; in_c <= 0; out_c <= 0; stall_c <= 0; adds_c <= 0; defer_c <= 0; redo_c <= 0; accum_c <= 0; reduce_c <= 0;
      f_v <= 1'b0; n_v <= 1'b0; h_v <= 1'b0;
      clr_a <= 0;
      if (opcode == 32'd{op_load}) state <= S_LOAD;
      else if (clean || flags[{fl_keep}]) state <= S_RUN;
      else state <= S_CLEAR;
    end
  end else begin
    if (state != S_IDLE && state != S_FLUSH) busy_c <= busy_c + 1;
    if (xfer) out_c <= out_c + 1;
    case (state)
      S_LOAD: if (acc) begin
        in_count <= in_count + 1;
        in_c <= in_c + 1;
        {load_beat}
        if (h2c_tlast && in_count + 1 < beats_total) begin
          err_r <= 8'd{e_short}; done_r <= 1'b1; state <= S_FLUSH; flush_k <= 16'd0;
        end else if (!h2c_tlast && in_count + 1 == beats_total) begin
          err_r <= 8'd{e_long}; done_r <= 1'b1; state <= S_SINK;
        end else if (in_count + 1 == beats_total) state <= S_ACK;
      end
      S_ACK: if (xfer) begin done_r <= 1'b1; state <= S_IDLE; end
      S_CLEAR: begin
        clr_a <= clr_a + 1'b1;
        if (clr_a == {ab}'d{nbl_last}) state <= S_RUN;
      end
      S_RUN: begin
        clean <= 1'b0;
        accum_c <= accum_c + 1;
        adds_c <= adds_c + adds_now;
        stall_c <= stall_c + {lanes} - adds_now;
        defer_c <= defer_c + defers_now;
        redo_c <= redo_c + redos_now;
        if (f_to_n) begin
          n_v <= 1'b1; n_s <= f_s; n_p <= pmem_q; f_v <= 1'b0;
        end
        if (acc) begin
          f_v <= 1'b1;
          f_s <= {sb}'d0;
          // FAULT_INJECT corrupt_scalar: bit 0 of the run's first scalar flipped.
          f_s[{takem}:0] <= h2c_tdata[{takem}:0]
            ^ {{{takem}'d0, fault[{f_scalar}] && in_count == 32'd0}};
          // The beat's second scalar, unless the count ends with the first (odd count).
          h_v <= (in_count + 1 < count_r);
          h_s <= h2c_tdata[{scalar_hi}:{scalar_lo}];
          in_count <= in_count + 1;
          in_c <= in_c + 1;
          // The beats end after ⌈count / 2⌉: tlast on the beat with the last scalar.
          if (h2c_tlast && in_count + 2 < count_r) begin
            err_r <= 8'd{e_short}; done_r <= 1'b1; state <= S_FLUSH; flush_k <= 16'd0;
          end else if (!h2c_tlast && in_count + 2 >= count_r) begin
            err_r <= 8'd{e_long}; done_r <= 1'b1; state <= S_SINK;
          end
        end else if (take_h) begin
          f_v <= 1'b1;
          f_s <= {sb}'d0;
          f_s[{takem}:0] <= h_s;
          h_v <= 1'b0;
          in_count <= in_count + 1;
        end
        if (n_push && !f_to_n) n_v <= 1'b0;
        if (in_count == count_r && !f_v && !n_v && {lanes_idle}) state <= S_DRAIN;
      end
      // Every deferred point must have issued from its FIFO by now (the FIFOs are empty):
      // a lost one leaves a bucket short, so the job fails rather than send it.
      S_DRAIN: if (defer_c != redo_c) begin
        err_r <= 8'd{e_lost}; done_r <= 1'b1; state <= S_FLUSH; flush_k <= 16'd0;
      end
      else if ({infl_empty} && hold_r) state <= S_ACK;{red_drain}
      else if ({infl_empty}) begin
        state <= S_READ;
        r_a <= {ab}'d0;
        r_lane <= {lbits}'d0;
        r_left <= 32'd{nb};
        q_v <= 1'b0; rb_v <= 1'b0; r_k <= 2'd0;
      end
      S_READ: begin
        if (xfer) begin
          out_count <= out_count + 1;
          if (r_k == 2'd2) begin
            r_k <= 2'd0;
            rb_v <= 1'b0;
            if (rb_last) begin done_r <= 1'b1; clean <= 1'b1; state <= S_IDLE; end
          end else r_k <= r_k + 1'b1;
        end
        if (q_to_rb) begin
          case (q_lane)
{readout_mux}            default: rb <= bmem_q_0;
          endcase
          rb_v <= 1'b1; rb_last <= q_last; q_v <= 1'b0; r_k <= 2'd0;
        end
        if (fetch) begin
          q_v <= 1'b1;
          q_lane <= r_lane;
          q_last <= (r_left == 32'd1);
          r_left <= r_left - 1;
{red_fetch}          // Window-major order: magnitudes of window w (lane w mod lanes, local window
          // w / lanes), then the next window.
          if (r_a[{cm2}:0] == {cm1}'d{half_last}) begin
            r_a[{cm2}:0] <= {cm1}'d0;
            if (r_lane == {lbits}'d{lanes_last}) begin
              r_lane <= {lbits}'d0;
              r_a[{abm}:{cm1}] <= r_a[{abm}:{cm1}] + 1'b1;
            end else r_lane <= r_lane + 1'b1;
          end else r_a[{cm2}:0] <= r_a[{cm2}:0] + 1'b1;
{red_fetch_end}        end
      end{red_state}
      S_SINK: if (h2c_tvalid && h2c_tlast) begin state <= S_FLUSH; flush_k <= 16'd0; clean <= 1'b0; end
      S_FLUSH: begin
        f_v <= 1'b0; n_v <= 1'b0; h_v <= 1'b0; q_v <= 1'b0; rb_v <= 1'b0;
        clean <= 1'b0;
        flush_k <= flush_k + 1;
        if (flush_k == 16'd{dd}) state <= S_IDLE;
      end
      default: ;
    endcase
  end
end
"#,
            interval = g.interval,
            ph_last = g.interval - 1,
            slot_logic = if g.interval == 1 {
                "assign slot = 1'b1;\n".to_string()
            } else {
                format!("assign slot = (ph == 8'd{});\n", g.interval - 1)
            },
            pmem_marker = crate::resources::memory_marker((2 * w as u64 + 1) * cap),
            pw = 2 * w,
            pwm = 2 * w - 1,
            pw2 = 2 * w,
            wm = w - 1,
            bw = 3 * w - 1,
            cap_last = cap - 1,
            nbl_last = nbl - 1,
            sbm = sb - 1,
            takem = take - 1,
            scalar_lo = zkpipe_spec::wire::SCALAR_BYTES * 8,
            scalar_hi = zkpipe_spec::wire::SCALAR_BYTES * 8 + take - 1,
            abm = ab - 1,
            cm1 = c - 1,
            cm2 = c - 2,
            half_last = half - 1,
            lbm = lbits - 1,
            lbm_ = lb - 1,
            lanes_last = lanes - 1,
            beat = BEAT_BITS,
            op_load = ops.0,
            lane_decls = join(&|l| &l.decls),
            negate = NegateConfig {
                modulus: self._modulus.clone(),
                component_bits: W,
                components: comps,
                segment_bits: NEG_SEGMENT_BITS,
            }
            .instance(
                "negate",
                &[
                    ("load", load_next.into()),
                    ("y", format!("pmem_q[{}:{w}]", 2 * w - 1)),
                    ("ny", "n_ny".into()),
                ],
            ),
            carries = WindowCarriesConfig {
                windows: nw,
                window_bits: c,
            }
            .instance(
                "window_carries",
                &[
                    ("load", load_next.into()),
                    ("bits", "f_s".into()),
                    ("carries", "carry_in".into()),
                ],
            ),
            lane_comb = join(&|l| &l.comb),
            lane_seq = join(&|l| &l.seq),
            red_decls = red_part(&|r| r.decls.clone()),
            red_comb = red_part(&|r| r.comb.clone()),
            red_seq = red_part(&|r| r.seq.clone()),
            red_start =
                red_part(&|_| format!("\n      red_mode <= flags[{}];", JobMsmFlags::REDUCE.lsb)),
            red_drain = red_part(&|r| r.drain.replace("INFL_EMPTY", &format!("({infl_empty})"))),
            red_fetch = red_part(&|r| r.fetch.clone()),
            red_fetch_end = red_part(&|_| "          end\n".to_string()),
            red_state = red_part(&|r| r.state.clone()),
            queues_room = (0..lanes)
                .map(|k| format!(
                    "q_cnt_{k} != {}'d{}",
                    ceil_log2(g.lane_queue) + 1,
                    g.lane_queue
                ))
                .collect::<Vec<_>>()
                .join(" && "),
            lane_load = join(&|l| &l.load),
            lanes_idle = lanes_idle,
            infl_empty = infl_empty,
            adds_sum = sum("issue"),
            defers_sum = sum("deferred"),
            redos_sum = sum("issue_h"),
            f_scalar = FaultInject::CORRUPT_SCALAR.lsb,
            f_base = FaultInject::CORRUPT_BASE.lsb,
            fl_keep = JobMsmFlags::KEEP.lsb,
            fl_hold = JobMsmFlags::HOLD.lsb,
            st_err = Status::ERROR.lsb,
            st_done = Status::DONE.lsb,
            st_busy = Status::BUSY.lsb,
        )
    }
}

/// Bits of a reduction chain's address {window in the lane, group}.
fn chain_bits(cfg: &MsmConfig, plan: &ReducePlan) -> usize {
    bucket_addr_bits(cfg) - (cfg.window_bits - 1) + plan.groups.trailing_zeros() as usize
}

struct ReduceParams {
    plan: ReducePlan,
    lanes: usize,
    windows: usize,
    ab: usize,
    /// Bits of the window-in-lane part of a bucket address.
    jb: usize,
}

/// The reduction's shared control (every lane runs the same schedule in lockstep).
struct ReduceVerilog {
    decls: String,
    comb: String,
    seq: String,
    /// S_DRAIN: into S_REDUCE instead of the bucket readout.
    drain: String,
    /// S_READ fetch: the order of the sums (opens an `if (red_mode) … else begin`).
    fetch: String,
    /// The S_REDUCE state.
    state: String,
}

/// The reduction around its schedule ([`ReduceScheduleConfig`], the `schedule` instance):
/// the readout order of the sums and the S_REDUCE state.
fn reduce_verilog(p: &ReduceParams) -> ReduceVerilog {
    let groups = p.plan.groups;
    let lg = groups.trailing_zeros() as usize;
    let cb = p.jb + lg;
    let (jbm, cbm, abm) = (p.jb - 1, cb - 1, p.ab - 1);
    let g_decl = if lg > 0 {
        format!("reg [{}:0] rr_g;\n", lg - 1)
    } else {
        String::new()
    };
    let decls = format!(
        r#"
// Bucket reduction: the step in issue and one cycle later (adder input).
reg red_mode;
wire red_t, red_on, red_last, red_v1, red_t1, red_id1_1, red_id2_1;
wire [{cbm}:0] red_ch, red_ch1;
wire [{abm}:0] red_baddr;
{schedule}reg [{cbm}:0] rr_a, acc_raddr;
// Readout of the sums: S or T, window in the lane, group.
reg rr_st, q_st;
reg [{jbm}:0] rr_j;
{g_decl}"#,
        schedule = ReduceScheduleConfig {
            plan: p.plan,
            chain_bits: cb,
        }
        .instance(
            "schedule",
            &[
                ("run", "(state == S_REDUCE)".into()),
                ("step", "slot".into()),
                ("on", "red_on".into()),
                ("t", "red_t".into()),
                ("ch", "red_ch".into()),
                ("baddr", "red_baddr".into()),
                // Only their copies at the adder input are used.
                ("id1", String::new()),
                ("id2", String::new()),
                ("last", "red_last".into()),
                ("v1", "red_v1".into()),
                ("t1", "red_t1".into()),
                ("ch1", "red_ch1".into()),
                ("id1_1", "red_id1_1".into()),
                ("id2_1", "red_id2_1".into()),
            ],
        ),
    );
    let rr_a = if lg > 0 { "{rr_j, rr_g}" } else { "rr_j" };
    let comb = format!(
        r#"
  rr_a = {rr_a};
  acc_raddr = (state == S_READ) ? rr_a : red_ch;
"#
    );
    let seq = String::new();
    let drain = "\n      else if (INFL_EMPTY && red_mode) state <= S_REDUCE;".to_string();
    let lanes_last = p.lanes - 1;
    let lbits = ceil_log2(p.lanes).max(1);
    let next_lane = format!(
        "if (r_lane == {lbits}'d{lanes_last}) begin r_lane <= {lbits}'d0; rr_j <= rr_j + 1'b1; end\n              \
         else r_lane <= r_lane + 1'b1;"
    );
    let advance = if lg > 0 {
        format!(
            "if (rr_g == {lg}'d{gl}) begin\n              rr_g <= {lg}'d0;\n              {next_lane}\n            \
             end else rr_g <= rr_g + 1'b1;",
            gl = groups - 1
        )
    } else {
        next_lane
    };
    let fetch = format!(
        "          q_st <= rr_st;\n          \
         if (red_mode) begin\n            \
         // Window-major: per group, S then T.\n            \
         rr_st <= !rr_st;\n            \
         if (rr_st) begin\n            {advance}\n            end\n          \
         end else begin\n"
    );
    let g_reset = if lg > 0 {
        format!(" rr_g <= {lg}'d0;")
    } else {
        String::new()
    };
    let state = format!(
        r#"
      S_REDUCE: begin
        reduce_c <= reduce_c + 1;
        if (red_last) begin
          state <= S_READ;
          r_lane <= {lbits}'d0; rr_j <= {jb}'d0;{g_reset} rr_st <= 1'b0;
          r_left <= 32'd{sums};
          q_v <= 1'b0; rb_v <= 1'b0; r_k <= 2'd0;
        end
      end"#,
        jb = p.jb,
        sums = 2 * p.windows * groups,
    );
    ReduceVerilog {
        decls,
        comb,
        seq,
        drain,
        fetch,
        state,
    }
}

struct LaneParams<'a> {
    k: usize,
    lanes: usize,
    /// Coordinate width (W · the group's degree).
    w: usize,
    /// Base-field width W: a G2 adder's ports are coordinates' components `_c0`, `_c1`.
    base_width: usize,
    /// The lane adders' field name (`add` or `add_g2`).
    adder: &'a str,
    c: usize,
    sb: usize,
    ab: usize,
    nbl: usize,
    /// The lane's tracker of the buckets in its adder.
    in_flight: InFlightConfig,
    f: usize,
    fb: usize,
    last_local: usize,
    ident: &'a str,
    f_drop: u32,
    f_corrupt: u32,
    f_corrupt_reduce: u32,
    /// Montgomery one (Z of an affine point fed to a full adder).
    one: &'a str,
    /// Depth of the lane's point queue (a power of two).
    queue: usize,
    /// (chains per lane, chain address bits) when the lane reduces its buckets (full
    /// adder), else None.
    reduce: Option<(usize, usize)>,
}

/// One lane's declarations, combinational logic and registers.
struct LaneVerilog {
    decls: String,
    comb: String,
    /// Combinational logic after `n_push`: the lane's point queue.
    load: String,
    seq: String,
}

/// Lane `k`: its windows' walk, digit, bucket memory, in-flight list, deferral FIFO and
/// adder `add$k`.
fn lane_verilog(p: &LaneParams) -> LaneVerilog {
    let LaneParams {
        k,
        lanes,
        w,
        base_width,
        adder,
        c,
        sb,
        ab,
        nbl,
        in_flight,
        f,
        fb,
        last_local,
        ident,
        f_drop,
        f_corrupt,
        f_corrupt_reduce,
        one,
        queue,
        reduce,
    } = *p;
    let (wm, pw, pwm, bw, abm, cm, sbm) =
        (w - 1, 2 * w, 2 * w - 1, 3 * w - 1, ab - 1, c - 1, sb - 1);
    let jb = ab - (c - 1);
    let nwk = sb / c; // windows
    let a = format!("{adder}${k}");
    // An adder port per coordinate component: `x1` (G1) or `x1_c0`, `x1_c1` (G2).
    let comps = w / base_width;
    let port = |name: &str, j: usize| match comps {
        1 => format!("{a}${name}"),
        _ => format!("{a}${name}_c{j}"),
    };
    let inputs = [("x1", "op1", 0), ("y1", "op1", 1), ("z1", "op1", 2)]
        .into_iter()
        .chain([("x2", "op2", 0), ("y2", "op2", 1), ("z2", "op2", 2)])
        .flat_map(|(name, op, coord)| {
            (0..comps).map(move |j| (name, op, coord * w + j * base_width))
        })
        .map(|(name, op, lo)| {
            let j = (lo % w) / base_width;
            format!(
                "  {} = {op}_{k}[{}:{lo}];\n",
                port(name, j),
                lo + base_width - 1
            )
        })
        .collect::<String>();
    let coord_out = |name: &str| {
        let parts: Vec<String> = (0..comps).rev().map(|j| port(name, j)).collect();
        format!("{{{}}}", parts.join(", "))
    };
    let defer_fifo = FifoConfig {
        width: ab + 2 * w,
        depth: f,
    };
    let queue_fifo = FifoConfig {
        width: nwk + sb + w + pw + 1,
        depth: queue,
    };
    // The adder's result {Z, Y, X}, X's low bit flipped by `fault` (a test hook).
    let result = |fault: &str| {
        format!(
            "{{{}, {}, {} ^ {{{}'d0, {fault}}}}}",
            coord_out("z3"),
            coord_out("y3"),
            coord_out("x3"),
            w - 1
        )
    };
    let decls = format!(
        r#"
// Lane {k}: windows w = {k} + {lanes}·j, its buckets {{Z, Y, X}} at {{j, magnitude − 1}}.
wire [{bw}:0] bmem_q_{k};
reg b_wen_{k};
reg [{abm}:0] b_waddr_{k};
reg [{bw}:0] b_wdata_{k};
reg l_v_{k};
reg [{sbm}:0] l_s_{k};
reg [{nwkm}:0] l_cy_{k};
reg [{jbm}:0] l_j_{k};
reg s_v_{k};
reg [{abm}:0] s_a_{k};
reg [{wm}:0] s_x_{k}, s_y_{k};
reg [31:0] adds_l_{k};
reg issue_h_{k}, issue_c_{k}, c_take_{k};
reg c_last_{k}, push_{k}, issue_{k}, deferred_{k}, lane_done_{k}, b_ren_{k};
reg [{abm}:0] iss_a_{k}, b_raddr_{k};
reg [{ew}:0] q_in_{k};
reg load_{k}, bypass_{k}, enq_{k};
reg [{pw}:0] lp_{k};
reg [{wm}:0] lny_{k};
reg [{wm}:0] iss_x_{k}, iss_y_{k}, cand_y_{k};
reg [{bw}:0] op1_{k}, op2_{k};
// Lane {k}'s buckets: read for an issue, the readout or the reduction; written below.
{bmem_marker}{bmem}// Lane {k}: signed digit of window {k} + {lanes}·l_j_{k}, and its bucket address.
wire neg_{k}, cand_skip_{k};
wire [{cm}:0] mag_{k}, idx_{k};
wire [{abm}:0] cand_a_{k};
{digit}assign idx_{k} = mag_{k} - 1'b1;
assign cand_a_{k} = {{l_j_{k}, idx_{k}[{cm2}:0]}};
assign cand_skip_{k} = (mag_{k} == {c}'d0) || lp_{k}[{pw}];
// Lane {k}'s deferral FIFO: {{bucket, y, x}} of points whose bucket is in the adder.
wire [{fw}:0] f_head_{k};
wire [{fb}:0] f_cnt_{k};
wire [{abm}:0] h_a_{k};
wire [{wm}:0] h_x_{k}, h_y_{k};
{fmem_marker}{defer}assign {{h_a_{k}, h_y_{k}, h_x_{k}}} = f_head_{k};
// Lane {k}'s buckets in the adder: is the FIFO head's or the candidate's among them?
wire busy_h_{k}, busy_cand_{k}, infl_any_{k};
{in_flight}// Lane {k}'s point queue: {{carries, scalar bits from window {k} on, −y, {{inf, y, x}}}}.
wire [{ew}:0] q_out_{k};
wire [{qb}:0] q_cnt_{k};
{queue}{red_decls}"#,
        bmem = RamConfig {
            width: 3 * w,
            depth: nbl,
            addr_bits: ab,
        }
        .instance(
            &format!("bmem_{k}"),
            &[
                ("ren", format!("b_ren_{k}")),
                ("raddr", format!("b_raddr_{k}")),
                ("q", format!("bmem_q_{k}")),
                ("wen", format!("b_wen_{k}")),
                ("waddr", format!("b_waddr_{k}")),
                ("wdata", format!("b_wdata_{k}")),
            ],
        ),
        digit = SignedDigitConfig { window_bits: c }.instance(
            &format!("digit_{k}"),
            &[
                ("bits", format!("l_s_{k}[{cm}:0]")),
                ("carry", format!("l_cy_{k}[0]")),
                ("neg", format!("neg_{k}")),
                ("mag", format!("mag_{k}")),
            ],
        ),
        defer = defer_fifo.instance(
            &format!("defer_{k}"),
            &[
                ("clear", LANE_CLEAR.into()),
                ("push", format!("push_{k}")),
                ("din", format!("{{cand_a_{k}, cand_y_{k}, lp_{k}[{wm}:0]}}")),
                ("pop", format!("issue_h_{k}")),
                ("head", format!("f_head_{k}")),
                ("count", format!("f_cnt_{k}")),
            ],
        ),
        in_flight = in_flight.instance(
            &format!("in_flight_{k}"),
            &[
                ("issue", format!("issue_{k}")),
                ("addr", format!("iss_a_{k}")),
                ("probe0", format!("h_a_{k}")),
                ("probe1", format!("cand_a_{k}")),
                ("hit0", format!("busy_h_{k}")),
                ("hit1", format!("busy_cand_{k}")),
                ("any", format!("infl_any_{k}")),
            ],
        ),
        queue = queue_fifo.instance(
            &format!("queue_{k}"),
            &[
                ("clear", LANE_CLEAR.into()),
                ("push", format!("enq_{k}")),
                ("din", format!("q_in_{k}")),
                ("pop", format!("load_{k}")),
                ("head", format!("q_out_{k}")),
                ("count", format!("q_cnt_{k}")),
            ],
        ),
        cm2 = c - 2,
        bmem_marker = crate::resources::memory_marker((3 * w * nbl) as u64),
        fmem_marker = crate::resources::memory_marker(((ab + 2 * w) * f) as u64),
        fw = ab + 2 * w - 1,
        nwkm = nwk - 1,
        jbm = jb - 1,
        ew = nwk + sb + w + pw,
        qb = ceil_log2(queue),
        red_decls = reduce
            .map(|(chains, cb)| {
                let marker = crate::resources::memory_marker((3 * w * chains) as u64);
                let ram = RamConfig {
                    width: 3 * w,
                    depth: chains,
                    addr_bits: cb,
                };
                // S sums are written by S steps (tag bit 30 clear), T sums by T steps.
                let sums = |mem: &str, t: u8| {
                    ram.instance(
                        &format!("{mem}_{k}"),
                        &[
                            ("ren", "(state == S_REDUCE || fetch)".into()),
                            ("raddr", "acc_raddr".into()),
                            ("q", format!("{mem}_q_{k}")),
                            (
                                "wen",
                                format!("{a}$vo && {a}$tag_o[31] && {a}$tag_o[30] == 1'b{t}"),
                            ),
                            ("waddr", format!("{a}$tag_o[{}:0]", cb - 1)),
                            (
                                "wdata",
                                result(&format!("fault[{f_corrupt}] | fault[{f_corrupt_reduce}]")),
                            ),
                        ],
                    )
                };
                format!(
                    "// Lane {k}'s reduction sums S and T per chain (window in the lane, group).\n\
                     wire [{bw}:0] sacc_q_{k}, tacc_q_{k};\n\
                     {marker}{}{marker}{}",
                    sums("sacc", 0),
                    sums("tacc", 1),
                )
            })
            .unwrap_or_default(),
    );
    let comb = format!(
        r#"
  // Lane {k}: issue the FIFO head, else the candidate, else defer it.
  issue_h_{k} = (state == S_RUN) && slot && (f_cnt_{k} != 0) && !busy_h_{k};
  c_take_{k} = 1'b0;
  issue_c_{k} = 1'b0;
  push_{k} = 1'b0;
  deferred_{k} = 1'b0;
  if (state == S_RUN && l_v_{k} && slot) begin
    if (cand_skip_{k}) c_take_{k} = 1'b1;
    else if (!issue_h_{k}) begin
      if (!busy_cand_{k}) begin issue_c_{k} = 1'b1; c_take_{k} = 1'b1; end
      else if (f_cnt_{k} != {f}) begin push_{k} = !fault[{f_drop}]; deferred_{k} = 1'b1; c_take_{k} = 1'b1; end
    end
  end
  issue_{k} = issue_h_{k} || issue_c_{k};
  iss_a_{k} = issue_h_{k} ? h_a_{k} : cand_a_{k};
  iss_x_{k} = issue_h_{k} ? h_x_{k} : lp_{k}[{wm}:0];
  cand_y_{k} = neg_{k} ? lny_{k} : lp_{k}[{pwm}:{w}];
  iss_y_{k} = issue_h_{k} ? h_y_{k} : cand_y_{k};
  // Done with the point after the lane's last window or once the remaining digits and
  // carry are zero.
  c_last_{k} = c_take_{k} && (l_j_{k} == {jb}'d{last_local} || ((l_s_{k} >> {c}) == {sb}'d0 && !neg_{k}));
  lane_done_{k} = !l_v_{k} || c_last_{k};
  b_raddr_{k} = (state == S_READ) ? r_a : {red_addr}iss_a_{k};
  b_ren_{k} = (state == S_READ) ? fetch : 1'b1;
  {a}$clock = clock & adders_on;
  {a}$enable = 1'b1;
{phase}{operands}{inputs}"#,
        phase = if comps > 1 { format!("  {a}$phase = ph;\n") } else { String::new() },
        red_addr = if reduce.is_some() { "(state == S_REDUCE) ? red_baddr : " } else { "" },
        operands = match reduce {
            // Accumulating: bucket + (x, y, 1). Reducing: S step B_m + S, T step T + S
            // (the identity for the first S and T).
            Some((_, cb)) => format!(
                "  op1_{k} = (red_v1 && red_t1) ? (red_id1_1 ? {ident} : tacc_q_{k}) : bmem_q_{k};\n  \
                 op2_{k} = red_v1 ? (red_id2_1 ? {ident} : sacc_q_{k}) : {{{one}, s_y_{k}, s_x_{k}}};\n  \
                 {a}$v = s_v_{k} | red_v1;\n  \
                 {a}$tag = red_v1 ? {{1'b1, red_t1, {pad}'d0, red_ch1}} : {{{apad}'d0, s_a_{k}}};\n",
                pad = 30 - cb,
                apad = 32 - ab,
            ),
            None => format!(
                "  op1_{k} = bmem_q_{k};\n  \
                 op2_{k} = {{{one}, s_y_{k}, s_x_{k}}};\n  \
                 {a}$v = s_v_{k};\n  \
                 {a}$tag = {{{apad}'d0, s_a_{k}}};\n",
                apad = 32 - ab,
            ),
        },
    );
    let seq = format!(
        r#"
// Lane {k}'s bucket write port: the adder's result, else the clearing sweep, else a
// bucket cleared as it is read.
always @(*) begin
  b_wen_{k} = 1'b1;
  b_waddr_{k} = {a}$tag_o[{abm}:0];
  b_wdata_{k} = {ident};
  if ({a}$vo{not_red}) b_wdata_{k} = {result_acc};
  else if (state == S_CLEAR) b_waddr_{k} = clr_a;
{clears}  else b_wen_{k} = 1'b0;
end
// Lane {k}: issue stage, walk.
always @(posedge clock) begin
  s_v_{k} <= issue_{k};
  s_a_{k} <= iss_a_{k};
  s_x_{k} <= iss_x_{k};
  s_y_{k} <= iss_y_{k};
  if (state == S_RUN && issue_{k}) adds_l_{k} <= adds_l_{k} + 1;
  if (start && state == S_IDLE) adds_l_{k} <= 0;
  if (load_{k}) begin
    l_v_{k} <= 1'b1;
    {{l_cy_{k}, l_s_{k}, lny_{k}, lp_{k}}} <= (q_cnt_{k} != 0) ? q_out_{k} : q_in_{k};
    l_j_{k} <= {jb}'d0;
  end else if (state == S_RUN && c_take_{k}) begin
    if (c_last_{k}) l_v_{k} <= 1'b0;
    else begin
      l_s_{k} <= l_s_{k} >> {step};
      l_cy_{k} <= l_cy_{k} >> {lanes};
      l_j_{k} <= l_j_{k} + 1'b1;
    end
  end
  if ({clear}) l_v_{k} <= 1'b0;
end
"#,
        clear = LANE_CLEAR,
        result_acc = result(&format!("fault[{f_corrupt}]")),
        not_red = if reduce.is_some() {
            format!(" && !{a}$tag_o[31]")
        } else {
            String::new()
        },
        clears = match reduce {
            // A bucket is cleared when its S step reads it (the readout sends sums).
            Some(_) => format!(
                "  else if (fetch && r_lane == {k} && !red_mode) b_waddr_{k} = r_a;\n  \
                 else if (red_on && !red_t) b_waddr_{k} = red_baddr;\n"
            ),
            None => format!("  else if (fetch && r_lane == {k}) b_waddr_{k} = r_a;\n"),
        },
        step = c * lanes,
    );
    let load = format!(
        r#"  // Lane {k}'s point queue: the next point comes from it, or straight from `next`
  // when it is empty; a bypassed point is not queued.
  q_in_{k} = {{carry_in[{nwkm}:0] >> {k}, n_s >> {shift0}, n_ny, n_p}};
  load_{k} = (state == S_RUN) && lane_done_{k} && (q_cnt_{k} != 0 || n_push);
  bypass_{k} = lane_done_{k} && q_cnt_{k} == 0 && n_push;
  enq_{k} = n_push && !bypass_{k};
"#,
        nwkm = nwk - 1,
        shift0 = c * k,
    );
    LaneVerilog {
        decls,
        comb,
        load,
        seq,
    }
}

impl<const W: usize, const W2: usize> Logic for MsmUnit<W, W2> {
    /// The control is generated Verilog (see [`MsmUnit::hdl`]); rust-hdl's simulator does
    /// not run it. Only the adder's clock is forwarded so the child stays well formed.
    fn update(&mut self) {
        for add in &mut self.add {
            add.clock.next = self.clock.val();
        }
        for add in &mut self.add_g2 {
            add.clock.next = self.clock.val();
        }
    }

    fn connect(&mut self) {
        for s in [
            &mut self.done,
            &mut self.h2c_tready,
            &mut self.c2h_tvalid,
            &mut self.c2h_tlast,
        ] {
            s.connect();
        }
        for s in [
            &mut self.status,
            &mut self.perf_busy,
            &mut self.perf_in,
            &mut self.perf_out,
            &mut self.perf_stall,
            &mut self.perf_adds,
            &mut self.perf_adds_min,
            &mut self.perf_reduce,
            &mut self.perf_deferrals,
            &mut self.perf_accum,
        ] {
            s.connect();
        }
        self.c2h_tdata.connect();
    }

    fn hdl(&self) -> Verilog {
        Verilog::Custom(self.verilog())
    }
}
